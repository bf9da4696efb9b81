"""Landing files → the raw schema: the contract, discovery, validation and loading."""
