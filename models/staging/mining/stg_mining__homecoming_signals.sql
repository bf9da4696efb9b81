with source as (

    select * from {{ source('mining', 'homecoming') }}

),

renamed as (

    select
        customer_id,
        months_observed,
        first_month,
        last_month,
        competitor_share_first_month,
        competitor_share_last_month,
        slope_per_month,
        rise_z,
        competitor_calls_last_month,
        person_calls_last_month,
        departed_call_share,
        is_drifting,
        drift_kind,
        drift_rank,
        evidence,
        scored_at
    from source

)

select * from renamed
