{#- The calls reduced to edges: one row per caller, callee (callee_id) and calendar month, with
    counts, seconds, first and last call and distinct days. fct_calls adds the callee's key and
    attributes; int_customers_calls_profiled reads the feature window's whole months from here.

    The union of six batches of months, each its own table (int_call_edges_batch_0 … _5, a month
    in batch (year × 12 + month) mod 6): at 1M customers one aggregation of every call (568M calls,
    ~150M edges) spilled more than 30 GB before it ran out of disk, and a union of the six
    batches in one statement kept every batch's spill until the statement ended. As six
    statements, each batch's spill is gone when the next starts. A view: the batches are the
    tables. -#}

{{ config(materialized='view') }}

{%- set batches = range(6) %}

with
{%- for batch in batches %}
batch_{{ batch }} as (

    select * from {{ ref('int_call_edges_batch_' ~ batch) }}

),
{%- endfor %}

edges as (
    {%- for batch in batches %}
    select * from batch_{{ batch }}
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}

)

select * from edges
