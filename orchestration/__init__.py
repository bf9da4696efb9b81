"""touchpoint: customer identification and precision marketing for a telecom call centre."""
