with source as (

    select * from {{ source('mining', 'association_rules') }}

),

renamed as (

    select
        antecedent,
        consequent,
        antecedent_size,
        itemset_size,
        support,
        confidence,
        lift,
        conviction,
        leverage,
        rule_count,
        antecedent_count,
        consequent_count,
        transaction_count,
        basket_date,
        min_support,
        min_confidence,
        scored_at
    from source

)

select * from renamed
