{#- Product tags: what each product is (type, category, price band, niche or mass in the
    catalogue), how far it reaches (penetration band among open customers: mass >= 10 %,
    mid 2-10 %, long_tail < 2 %, unsold) and who adopts it (the three profile attributes with the
    highest lift among adopters, with at least var('lookalike_min_adopters') adopters and a lift
    of 1.5 or more). One row per product and tag. -#}

with products as (

    select * from {{ ref('stg_catalog__products') }}

),

portrait as (

    select * from {{ ref('rpt_product_portrait') }}

),

adoption as (

    select
        product_id,
        max(adopter_count) as adopter_count,
        max(base_customer_count) as base_customer_count
    from portrait
    group by product_id

),

penetration as (

    select
        products.product_id,
        coalesce(adoption.adopter_count, 0) as adopter_count,
        case
            when adoption.product_id is null then 'unsold'
            when adoption.adopter_count * 1.0 / adoption.base_customer_count >= 0.10 then 'mass'
            when adoption.adopter_count * 1.0 / adoption.base_customer_count >= 0.02 then 'mid'
            else 'long_tail'
        end as band
    from products
    left join adoption
        on products.product_id = adoption.product_id

),

priced as (

    select
        *,
        case when monthly_fee_yuan <= 5 then 'low' when monthly_fee_yuan <= 20 then 'mid' else 'high' end as price_band
    from products

),

ranked_portrait as (

    select
        *,
        row_number() over (partition by product_id order by lift desc, attribute_id asc) as lift_rank
    from portrait
    where adopter_attribute_count >= {{ var('lookalike_min_adopters', 5) }} and lift >= 1.5

),

catalogue_tags as (

    select
        product_id,
        {{ dbt.concat(["'type:'", 'product_type']) }} as product_tag,
        'catalogue' as tag_type,
        product_type as tag_value,
        cast(null as double) as lift,
        'catalogue product type' as evidence
    from products

    union all

    select
        product_id,
        {{ dbt.concat(["'category:'", 'product_category']) }} as product_tag,
        'catalogue' as tag_type,
        product_category as tag_value,
        cast(null as double) as lift,
        'catalogue category' as evidence
    from products

    union all

    select
        product_id,
        {{ dbt.concat(["'price:'", 'price_band']) }} as product_tag,
        'catalogue' as tag_type,
        price_band as tag_value,
        cast(null as double) as lift,
        {{ dbt.concat(["'monthly fee '", dbt.cast('monthly_fee_yuan', dbt.type_string()), "' yuan'"]) }} as evidence
    from priced

    union all

    select
        product_id,
        case when is_niche then 'reach:niche' else 'reach:mass_market' end as product_tag,
        'catalogue' as tag_type,
        case when is_niche then 'niche' else 'mass_market' end as tag_value,
        cast(null as double) as lift,
        'catalogue niche flag (dim_product.is_niche)' as evidence
    from products

),

penetration_tags as (

    select
        product_id,
        {{ dbt.concat(["'penetration:'", 'band']) }} as product_tag,
        'adoption' as tag_type,
        band as tag_value,
        cast(null as double) as lift,
        {{ dbt.concat([dbt.cast('adopter_count', dbt.type_string()), "' open customers hold it'"]) }} as evidence
    from penetration

),

profile_tags as (

    select
        product_id,
        {{ dbt.concat(["'profile:'", 'attribute_id']) }} as product_tag,
        'portrait' as tag_type,
        attribute_name as tag_value,
        lift,
        {{ dbt.concat([
            dbt.cast('round(100 * adopter_share, 1)', dbt.type_string()), "'% of adopters vs '",
            dbt.cast('round(100 * base_share, 1)', dbt.type_string()), "'% of the base'",
        ]) }} as evidence
    from ranked_portrait
    where lift_rank <= 3

),

final as (

    select * from catalogue_tags
    union all
    select * from penetration_tags
    union all
    select * from profile_tags

)

select * from final
