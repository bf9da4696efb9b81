{#- Look-alike target lists per product, long-tail (niche) products included: open customers who
    do not hold the product, scored by how much they look like its adopters — the sum of ln(lift)
    over the profile attributes they share with them, counting attributes with a lift of at least
    var('lookalike_min_lift') held by at least var('lookalike_min_adopters') adopters. The top
    var('lookalike_targets_per_product') per product, with the three attributes that weigh most
    (the reason a customer is on the list stays explainable). The reasons are worked out for the
    kept targets only. -#}

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
        telling_attributes.weight
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
        -- summed as decimals: a float sum depends on the order rows arrive in, so customers with
        -- the same attributes could get scores a few ulps apart and their customer_id tiebreak
        -- (and who makes the list) changed from run to run
        cast(sum(cast(weight as decimal(18, 9))) as {{ type_double() }}) as lookalike_score,
        count(*) as matched_attribute_count
    from matches
    group by product_id, customer_id

),

ranked as (

    select
        *,
        row_number() over (partition by product_id order by lookalike_score desc, customer_id asc) as target_rank
    from scored

),

targets as (

    select * from ranked
    where target_rank <= {{ var('lookalike_targets_per_product', 200) }}

),

-- the reasons of the kept targets only, matched again from the small list of targets: ranking
-- every match of every pair was most of this model's time, and reading `matches` a second time
-- here made DuckDB keep all of them (hundreds of millions of rows at 1M customers; 8.5 GB
-- spilled) for lists of which all but a few hundred rows per product are dropped
target_matches as (

    select
        targets.product_id,
        targets.customer_id,
        targets.target_rank,
        targets.lookalike_score,
        targets.matched_attribute_count,
        telling_attributes.attribute_name,
        telling_attributes.lift,
        row_number() over (
            partition by targets.product_id, targets.customer_id
            order by telling_attributes.weight desc, telling_attributes.attribute_id asc
        ) as reason_rank
    from targets
    inner join attributes
        on targets.customer_id = attributes.customer_id
    inner join telling_attributes
        on
            targets.product_id = telling_attributes.product_id
            and attributes.attribute_id = telling_attributes.attribute_id

),

reasons as (

    select
        product_id,
        customer_id,
        target_rank,
        lookalike_score,
        matched_attribute_count,
        {{ dbt.listagg(
            dbt.concat([
                'attribute_name', "' (x'", dbt.cast('round(lift, 1)', dbt.type_string()), "')'",
            ]),
            "'、'", 'order by reason_rank',
        ) }} as top_reasons
    from target_matches
    where reason_rank <= 3
    group by product_id, customer_id, target_rank, lookalike_score, matched_attribute_count

),

final as (

    select
        -- grain
        reasons.product_id,
        reasons.customer_id,
        -- score
        reasons.target_rank,
        round(reasons.lookalike_score, 4) as lookalike_score,
        reasons.matched_attribute_count,
        reasons.top_reasons,
        -- product
        products.product_name,
        products.is_niche as is_niche_product,
        -- customer
        features.value_tier,
        features.is_proactively_contactable,
        features.preferred_channel_code,
        features.as_of_date
    from reasons
    left join {{ ref('stg_catalog__products') }} as products
        on reasons.product_id = products.product_id
    left join features
        on reasons.customer_id = features.customer_id

)

select * from final
