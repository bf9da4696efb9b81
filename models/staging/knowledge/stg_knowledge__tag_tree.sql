with source as (

    select * from {{ source('knowledge', 'tag_tree') }}

),

renamed as (

    select
        -- ids
        node_id,
        parent_node_id,
        -- attributes
        category_path,
        node_level,
        node_name_zh,
        node_name_en,
        node_description,
        -- lineage
        compiled_at
    from source

)

select * from renamed
