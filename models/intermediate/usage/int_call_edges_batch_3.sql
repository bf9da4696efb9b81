{#- Batch 3 of the six batches of int_call_edges_monthly (macros/call_edges.sql). -#}

{#- The macro asks staging for the first and last call date when the model is built: dbt must
    see that reference when it parses this file (a ref reached only through a macro is missed
    when partial parsing re-reads a changed macro). -#}
-- depends_on: {{ ref('stg_usage__call_records') }}

{#- One batch at a time even when dbt runs models in parallel (profiles.yml threads): each
    batch is sized to spill on its own at 1M customers, not beside another batch. -#}
-- depends_on: {{ ref('int_call_edges_batch_2') }}

{{ call_edges_of_month_batch(3, 6) }}
