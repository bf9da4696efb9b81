{#- Call-centre agents and account managers, one row per agent, name masked. -#}

with agents as (

    select * from {{ ref('stg_callcenter__agents') }}

),

final as (

    select
        agent_id,
        {{ mask_name('agent_name') }} as agent_name_masked,
        team,
        skill_group,
        team = 'account_management' as is_account_manager,
        seniority_years,
        case
            when seniority_years < 2 then 'junior'
            when seniority_years < 5 then 'experienced'
            else 'senior'
        end as seniority_band,
        hired_date
    from agents

)

select * from final
