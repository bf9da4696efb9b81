with source as (

    select * from {{ source('mining', 'cluster_profiles') }}

),

renamed as (

    select
        cluster_id,
        cluster_label,
        feature,
        customer_count,
        customer_share,
        cluster_mean,
        overall_mean,
        cluster_median,
        z_score,
        scored_at
    from source

)

select * from renamed
