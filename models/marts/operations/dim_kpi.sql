{#- The KPI catalogue (指标口径): one row per operating indicator, generated from the metric
    definitions (models/marts/operations/_operations__metrics.yml) by the kpi_catalogue macro:
    labels, description, formula down to the measures, grains and fluctuation-band settings. -#}

-- Lineage: the models the metric definitions describe.
-- depends_on: {{ ref('fct_contacts') }}
-- depends_on: {{ ref('fct_ivr_sessions') }}
-- depends_on: {{ ref('fct_complaints') }}
-- depends_on: {{ ref('fct_usage_daily') }}
-- depends_on: {{ ref('fct_billing_monthly') }}
-- depends_on: {{ ref('fct_campaign_offers') }}
-- depends_on: {{ ref('dim_customer') }}

with catalogue as (

    {{ kpi_catalogue() }}

),

final as (

    select * from catalogue

)

select * from final
