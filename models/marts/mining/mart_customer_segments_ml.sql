{#- Behaviour segments from the mining clustering (k-means on standardized monthly usage, k chosen
    by silhouette), one row per clustered customer, with the customer attributes marketing
    slices segments by. A member far from its cluster's centre (beyond the cluster's 90th
    percentile distance) is atypical: treat the segment label with care for them. -#}

with clusters as (

    select * from {{ ref('stg_mining__customer_clusters') }}

),

customers as (

    select * from {{ ref('dim_customer') }}

),

cluster_sizes as (

    select
        cluster_id,
        count(*) as cluster_customer_count,
        cast(count(*) as double) / sum(count(*)) over () as cluster_customer_share,
        percentile_cont(0.9) within group (order by distance_to_centroid) as cluster_distance_p90
    from clusters
    group by cluster_id

),

final as (

    select
        -- ids
        clusters.customer_id,
        clusters.cluster_id,
        -- segment
        clusters.cluster_label,
        cluster_sizes.cluster_customer_count,
        cluster_sizes.cluster_customer_share,
        clusters.distance_to_centroid,
        clusters.distance_to_centroid > cluster_sizes.cluster_distance_p90 as is_atypical_member,
        -- customer attributes
        customers.customer_type,
        customers.age_band,
        customers.gender,
        customers.city,
        customers.brand,
        customers.plan_id,
        customers.member_tier,
        customers.is_proactively_contactable,
        -- lineage
        clusters.scored_at
    from clusters
    inner join cluster_sizes on clusters.cluster_id = cluster_sizes.cluster_id
    left join customers on clusters.customer_id = customers.customer_id

)

select * from final
