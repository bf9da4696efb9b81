{#- Product portrait (产品画像): who uses each product against the base. One row per product with
    adopters and profile attribute (an approved tag, or a categorical tag's value): the share of
    the product's adopters with the attribute, the share of the open base with it, and the lift
    (adopter share / base share; above 1: over-represented among adopters). Adopters: open
    customers holding the product on the as-of date. New targets are found from current users'
    traits (rpt_product_lookalike_targets). -#}

with attributes as (

    select * from {{ ref('int_customer_profile_attributes') }}

),

open_customers as (

    select customer_id
    from {{ ref('int_customer_features') }}
    where customer_status != 'closed'

),

adopters as (

    select held.*
    from {{ ref('int_customer_products_held') }} as held
    inner join open_customers
        on held.customer_id = open_customers.customer_id

),

products as (

    select * from {{ ref('stg_catalog__products') }}

),

base_size as (

    select count(*) as base_customer_count from open_customers

),

attribute_sizes as (

    select
        attribute_id,
        max(attribute_name) as attribute_name,
        max(tag_id) as tag_id,
        max(category_path) as category_path,
        count(*) as base_attribute_count
    from attributes
    group by attribute_id

),

product_sizes as (

    select
        product_id,
        count(*) as adopter_count
    from adopters
    group by product_id

),

adopter_attributes as (

    select
        adopters.product_id,
        attributes.attribute_id,
        count(*) as adopter_attribute_count
    from adopters
    inner join attributes
        on adopters.customer_id = attributes.customer_id
    group by adopters.product_id, attributes.attribute_id

),

final as (

    select
        -- grain
        product_sizes.product_id,
        attribute_sizes.attribute_id,
        -- names
        products.product_name,
        products.product_type,
        products.is_niche as is_niche_product,
        attribute_sizes.attribute_name,
        attribute_sizes.tag_id,
        attribute_sizes.category_path,
        -- counts
        product_sizes.adopter_count,
        coalesce(adopter_attributes.adopter_attribute_count, 0) as adopter_attribute_count,
        attribute_sizes.base_attribute_count,
        base_size.base_customer_count,
        -- shares
        coalesce(adopter_attributes.adopter_attribute_count, 0) * 1.0 / product_sizes.adopter_count
            as adopter_share,
        attribute_sizes.base_attribute_count * 1.0 / base_size.base_customer_count as base_share,
        (coalesce(adopter_attributes.adopter_attribute_count, 0) * 1.0 / product_sizes.adopter_count)
        / (attribute_sizes.base_attribute_count * 1.0 / base_size.base_customer_count) as lift
    from product_sizes
    cross join attribute_sizes
    cross join base_size
    left join adopter_attributes
        on
            product_sizes.product_id = adopter_attributes.product_id
            and attribute_sizes.attribute_id = adopter_attributes.attribute_id
    left join products
        on product_sizes.product_id = products.product_id

)

select * from final
