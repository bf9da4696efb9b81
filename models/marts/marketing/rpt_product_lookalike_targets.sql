{#- Look-alike target lists per product, long-tail (niche) products included: open customers who
    do not hold the product, scored by how much they look like its adopters — the sum of ln(lift)
    over the profile attributes they share with them, counting attributes with a lift of at least
    var('lookalike_min_lift') held by at least var('lookalike_min_adopters') adopters. The top
    var('lookalike_targets_per_product') per product, with the three attributes that weigh most
    (the reason a customer is on the list stays explainable). -#}

with portrait as (

    select * from {{ ref('rpt_product_portrait') }}

),

attributes as (

    select * from {{ ref('int_customer_profile_attributes') }}

),

held as (

    select * from {{ ref('int_customer_products_held') }}

),

features as (

    select * from {{ ref('int_customer_features') }}

),

telling_attributes as (

    select
        product_id,
        attribute_id,
        attribute_name,
        lift,
        ln(lift) as weight
    from portrait
    where
        adopter_attribute_count >= {{ var('lookalike_min_adopters', 5) }}
        and lift >= {{ var('lookalike_min_lift', 1.2) }}

),

matches as (

    select
        telling_attributes.product_id,
        attributes.customer_id,
        telling_attributes.attribute_name,
        telling_attributes.lift,
        telling_attributes.weight,
        row_number() over (
            partition by telling_attributes.product_id, attributes.customer_id
            order by telling_attributes.weight desc, telling_attributes.attribute_id asc
        ) as reason_rank
    from telling_attributes
    inner join attributes
        on telling_attributes.attribute_id = attributes.attribute_id
    left join held
        on
            attributes.customer_id = held.customer_id
            and telling_attributes.product_id = held.product_id
    where held.customer_id is null

),

scored as (

    select
        product_id,
        customer_id,
        sum(weight) as lookalike_score,
        count(*) as matched_attribute_count,
        {{ dbt.listagg(
            "case when reason_rank <= 3 then " ~ dbt.concat([
                'attribute_name', "' (x'", dbt.cast('round(lift, 1)', dbt.type_string()), "')'",
            ]) ~ " end",
            "'、'", 'order by reason_rank',
        ) }} as top_reasons
    from matches
    group by product_id, customer_id

),

ranked as (

    select
        *,
        row_number() over (partition by product_id order by lookalike_score desc, customer_id asc) as target_rank
    from scored

),

final as (

    select
        -- grain
        ranked.product_id,
        ranked.customer_id,
        -- score
        ranked.target_rank,
        round(ranked.lookalike_score, 4) as lookalike_score,
        ranked.matched_attribute_count,
        ranked.top_reasons,
        -- product
        products.product_name,
        products.is_niche as is_niche_product,
        -- customer
        features.value_tier,
        features.is_proactively_contactable,
        features.preferred_channel_code,
        features.as_of_date
    from ranked
    left join {{ ref('stg_catalog__products') }} as products
        on ranked.product_id = products.product_id
    left join features
        on ranked.customer_id = features.customer_id
    where ranked.target_rank <= {{ var('lookalike_targets_per_product', 200) }}

)

select * from final
