{#- Batch 2 of the six batches of int_call_edges_monthly (macros/call_edges.sql). -#}

{{ call_edges_of_month_batch(2, 6) }}
