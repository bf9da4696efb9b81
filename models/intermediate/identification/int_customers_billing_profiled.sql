{#- Bills, payments and arrears per customer over the feature window: average monthly bill
    (ARPU) and its parts (value-added services, roaming, data beyond the allowance), the usual
    payment method and bank-linked share, and the arrears of the newest arrears extract.
    One row per customer billed, paying or owing in the window. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

bill_item_codes as (

    select * from {{ ref('bill_item_codes') }}

),

bills as (

    select
        bill_items.customer_id,
        count(distinct bill_items.bill_month) as billed_month_count,
        sum(bill_items.amount_yuan) as bill_total_yuan,
        sum(case when bill_item_codes.bill_item_group = 'vas' then bill_items.amount_yuan else 0 end) as vas_bill_yuan,
        sum(case when bill_item_codes.bill_item_group = 'roaming' then bill_items.amount_yuan else 0 end)
            as roaming_bill_yuan,
        sum(case when bill_items.bill_item_code = 'DATA' then bill_items.amount_yuan else 0 end)
            as data_overage_bill_yuan,
        sum(case when bill_item_codes.bill_item_group = 'voice' then bill_items.amount_yuan else 0 end)
            as voice_overage_bill_yuan
    from {{ ref('stg_billing__bill_items') }} as bill_items
    inner join feature_window
        on bill_items.bill_month between feature_window.window_start_date and feature_window.as_of_month
    left join bill_item_codes
        on bill_items.bill_item_code = bill_item_codes.bill_item_code
    group by bill_items.customer_id

),

payments_in_window as (

    select payments.*
    from {{ ref('stg_billing__payments') }} as payments
    inner join feature_window
        on payments.paid_date between feature_window.window_start_date and feature_window.as_of_date

),

payment_methods as (

    select
        customer_id,
        payment_method,
        row_number() over (partition by customer_id order by count(*) desc, payment_method asc) as method_rank
    from payments_in_window
    group by customer_id, payment_method

),

payments as (

    select
        payments_in_window.customer_id,
        count(*) as payment_count,
        sum(payments_in_window.amount_yuan) as paid_yuan,
        max(payments_in_window.paid_date) as last_payment_date,
        count(case when payments_in_window.payment_method in ('bank_card', 'auto_debit') then 1 end)
            as bank_linked_payment_count,
        max(case when payment_methods.method_rank = 1 then payment_methods.payment_method end) as main_payment_method
    from payments_in_window
    left join payment_methods
        on
            payments_in_window.customer_id = payment_methods.customer_id
            and payments_in_window.payment_method = payment_methods.payment_method
    group by payments_in_window.customer_id

),

arrears as (

    select * from {{ ref('stg_billing__arrears') }}

),

newest_arrears_month as (

    select max(arrears.as_of_month) as as_of_month
    from arrears
    cross join feature_window
    where arrears.as_of_month <= feature_window.as_of_month

),

latest_arrears as (

    select
        arrears.customer_id,
        arrears.arrears_yuan,
        arrears.days_overdue
    from arrears
    inner join newest_arrears_month
        on arrears.as_of_month = newest_arrears_month.as_of_month

),

customers as (

    select customer_id from bills
    union
    select customer_id from payments
    union
    select customer_id from latest_arrears

),

profiled as (

    select
        customers.customer_id,
        coalesce(bills.billed_month_count, 0) as billed_month_count,
        coalesce(bills.bill_total_yuan, 0) as bill_total_yuan,
        coalesce(bills.vas_bill_yuan, 0) as vas_bill_yuan,
        coalesce(bills.roaming_bill_yuan, 0) as roaming_bill_yuan,
        coalesce(bills.data_overage_bill_yuan, 0) as data_overage_bill_yuan,
        coalesce(bills.voice_overage_bill_yuan, 0) as voice_overage_bill_yuan,
        coalesce(payments.payment_count, 0) as payment_count,
        coalesce(payments.paid_yuan, 0) as paid_yuan,
        payments.last_payment_date,
        coalesce(payments.bank_linked_payment_count, 0) as bank_linked_payment_count,
        payments.main_payment_method,
        coalesce(latest_arrears.arrears_yuan, 0) as arrears_yuan,
        coalesce(latest_arrears.days_overdue, 0) as days_overdue
    from customers
    left join bills
        on customers.customer_id = bills.customer_id
    left join payments
        on customers.customer_id = payments.customer_id
    left join latest_arrears
        on customers.customer_id = latest_arrears.customer_id

)

select * from profiled
