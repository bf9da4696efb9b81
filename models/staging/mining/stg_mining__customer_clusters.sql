with source as (

    select * from {{ source('mining', 'customer_clusters') }}

),

renamed as (

    select
        customer_id,
        cluster_id,
        cluster_label,
        distance_to_centroid,
        scored_at
    from source

)

select * from renamed
