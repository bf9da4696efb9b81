with source as (

    select * from {{ source('mining', 'fraud_scores') }}

),

renamed as (

    select
        customer_id,
        anomaly_score,
        anomaly_rank,
        is_outlier,
        sim_box_conditions_met,
        sim_box_conditions_total,
        is_sim_box_pattern,
        is_fraud_suspect,
        reason,
        scored_at
    from source

)

select * from renamed
