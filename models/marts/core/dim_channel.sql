{#- Contact channels (touchpoints), from the channels seed: one row per channel code. -#}

with channels as (

    select * from {{ ref('channels') }}

),

final as (

    select
        channel_code,
        channel_name,
        channel_name_zh,
        channel_group,
        direction,
        is_proactive_capable,
        is_electronic,
        is_personal
    from channels

)

select * from final
