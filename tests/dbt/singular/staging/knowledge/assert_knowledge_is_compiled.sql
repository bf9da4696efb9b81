{{ config(severity='warn') }}

{#- Warns when the knowledge tables are empty: nothing has compiled knowledge/tags and
    knowledge/rules into this database (on-run-start created the tables empty), so no customer
    gets a tag or a recommendation. Fix: `touchpoint knowledge compile`, or materialize the
    Dagster assets knowledge/* (the full_pipeline job does). -#}

with compiled as (

    select count(*) as tag_count
    from {{ ref('stg_knowledge__tag_definitions') }}

),

validation as (

    select 'knowledge not compiled: run `touchpoint knowledge compile` before dbt' as problem
    from compiled
    where tag_count = 0

)

select * from validation
