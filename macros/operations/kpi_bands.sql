{#- kpi_bands(observations, period_column, grain): each KPI observation with its normal
    fluctuation band learned from its own past, and an anomaly flag (fct_kpi_daily, fct_kpi_monthly).

    No look-ahead: the band of a period uses only earlier periods of the same KPI.
    Seasonality: a day is compared with the last `history` days of its season_key (holiday,
    month_end, workday or rest_day; see int_kpis_measured_daily), workdays and rest days only
    within the last `lookback_days` (so a trend does not drag the baseline behind; holidays and
    month ends are sparse and keep a longer memory); while its season_key has fewer than
    `min_history` past observations (a KPI's first holidays or month ends) it is compared with
    its day_type (workday / rest_day) instead. Months are compared with the months before.
    Values are compared per exposure day (exposure_days: a month's days for KPIs that add up day
    by day, else 1) and scaled back to the period.
    Robust statistics: baseline = median of that history; spread = 1.4826 x the median absolute
    deviation from it (MAD, the standard deviation under normal noise, untouched by past spikes),
    floored by the KPI's noise model:
        poisson_count  sqrt(max(baseline, 1))                 a count is at least Poisson-noisy
        poisson_rate   |baseline| / sqrt(max(baseline volume, 1))  a rate over such a count
        none           no floor
    Band: baseline -/+ max(z_threshold x spread, min_relative_change x |baseline|), the lower
    edge clipped at 0 (every KPI is a count, sum, rate or average of non-negative quantities).
    Warm-up: no band (and no flag) until `min_history` past observations exist.
    Flag: the value lies outside the band, the band exists, the period is complete and the
    KPI's volume reaches its min_volume (a rate over a handful of calls is not judged).
    Settings: var kpi_bands {z_threshold, min_relative_change,
    day|month: {history, min_history, lookback_days (day only)}}. -#}

{% macro kpi_bands(observations, period_column, grain) %}
    {%- set settings = var('kpi_bands') -%}
    {%- set history_size = settings[grain]['history'] -%}
    {%- set min_history = settings[grain]['min_history'] -%}
    {%- set lookback_days = settings[grain]['lookback_days'] -%}
    {%- set z_threshold = settings['z_threshold'] %}

with judged as (

    select
        *,
        row_number() over (partition by kpi_name, season_key order by {{ period_column }}) as season_sequence,
        row_number() over (partition by kpi_name, day_type order by {{ period_column }}) as day_type_sequence
    from {{ observations }}
    where kpi_value is not null and is_complete_period

),

history_pairs as (

    select
        target.kpi_name,
        target.{{ period_column }},
        'season_key' as history_basis,
        history.kpi_value / history.exposure_days as history_value,
        history.kpi_volume as history_volume
    from judged as target
    inner join judged as history
        on
            target.kpi_name = history.kpi_name
            and target.season_key = history.season_key
            and history.season_sequence between target.season_sequence - {{ history_size }}
            and target.season_sequence - 1
            {%- if lookback_days %}
            and (
                target.season_key != target.day_type
                or history.{{ period_column }} >= {{ dbt.dateadd('day', '0 - ' ~ lookback_days, 'target.' ~ period_column) }}
            )
            {%- endif %}
    union all
    select
        target.kpi_name,
        target.{{ period_column }},
        'day_type' as history_basis,
        history.kpi_value / history.exposure_days as history_value,
        history.kpi_volume as history_volume
    from judged as target
    inner join judged as history
        on
            target.kpi_name = history.kpi_name
            and target.day_type = history.day_type
            and history.day_type_sequence between target.day_type_sequence - {{ history_size }}
            and target.day_type_sequence - 1
            {%- if lookback_days %}
            and history.{{ period_column }} >= {{ dbt.dateadd('day', '0 - ' ~ lookback_days, 'target.' ~ period_column) }}
            {%- endif %}
    where target.season_key != target.day_type

),

baselines as (

    select
        kpi_name,
        {{ period_column }},
        history_basis,
        count(*) as history_count,
        percentile_cont(0.5) within group (order by history_value) as baseline_value,
        percentile_cont(0.5) within group (order by history_volume) as baseline_volume
    from history_pairs
    group by kpi_name, {{ period_column }}, history_basis

),

ranked_baselines as (

    select
        *,
        row_number() over (
            partition by kpi_name, {{ period_column }}
            order by
                case
                    when history_basis = 'season_key' and history_count >= {{ min_history }} then 0
                    when history_basis = 'day_type' then 1
                    else 2
                end
        ) as basis_rank
    from baselines

),

chosen_baselines as (

    select * from ranked_baselines
    where basis_rank = 1

),

spreads as (

    select
        history_pairs.kpi_name,
        history_pairs.{{ period_column }},
        percentile_cont(0.5) within group (
            order by abs(history_pairs.history_value - chosen_baselines.baseline_value)
        ) as median_absolute_deviation
    from history_pairs
    inner join chosen_baselines
        on
            history_pairs.kpi_name = chosen_baselines.kpi_name
            and history_pairs.{{ period_column }} = chosen_baselines.{{ period_column }}
            and history_pairs.history_basis = chosen_baselines.history_basis
    group by history_pairs.kpi_name, history_pairs.{{ period_column }}

),

spread_floored as (

    select
        observations.*,
        chosen_baselines.history_basis,
        coalesce(chosen_baselines.history_count, 0) as history_count,
        chosen_baselines.baseline_value * observations.exposure_days as baseline_value,
        greatest(
            1.4826 * spreads.median_absolute_deviation * observations.exposure_days,
            case observations.noise_model
                when 'poisson_count'
                    then sqrt(greatest(chosen_baselines.baseline_value * observations.exposure_days, 1))
                when 'poisson_rate'
                    then abs(chosen_baselines.baseline_value) / sqrt(greatest(chosen_baselines.baseline_volume, 1))
                else 0
            end
        ) as robust_sigma
    from {{ observations }} as observations
    left join chosen_baselines
        on
            observations.kpi_name = chosen_baselines.kpi_name
            and observations.{{ period_column }} = chosen_baselines.{{ period_column }}
    left join spreads
        on
            observations.kpi_name = spreads.kpi_name
            and observations.{{ period_column }} = spreads.{{ period_column }}

),

banded as (

    select
        *,
        greatest(
            {{ z_threshold }} * robust_sigma, min_relative_change * abs(baseline_value)
        ) as band_half_width,
        history_count >= {{ min_history }} and is_complete_period as has_band,
        coalesce(kpi_volume, 0) >= min_volume as has_enough_volume
    from spread_floored

),

flagged as (

    select
        *,
        greatest(baseline_value - band_half_width, 0) as band_lower,
        baseline_value + band_half_width as band_upper,
        coalesce(
            has_band
            and has_enough_volume
            and (
                kpi_value < greatest(baseline_value - band_half_width, 0)
                or kpi_value > baseline_value + band_half_width
            ),
            false
        ) as is_anomaly
    from banded

)

select
    kpi_name,
    {{ period_column }},
    day_type,
    case when history_basis = 'day_type' then day_type else season_key end as band_basis,
    kpi_value,
    kpi_volume,
    baseline_value,
    robust_sigma,
    case when has_band then band_lower end as band_lower,
    case when has_band then band_upper end as band_upper,
    history_count,
    has_band,
    has_enough_volume,
    is_complete_period,
    is_anomaly,
    case
        when is_anomaly and kpi_value > baseline_value then 'up'
        when is_anomaly then 'down'
    end as anomaly_direction,
    case when has_band then (kpi_value - baseline_value) / nullif(robust_sigma, 0) end as robust_z,
    case when has_band then (kpi_value - baseline_value) / nullif(abs(baseline_value), 0) end as deviation_pct
from flagged
{% endmacro %}
