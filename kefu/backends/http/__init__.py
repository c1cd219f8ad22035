"""HTTP implementations of the backend interfaces, speaking the REST contract
in docs/openapi/shop-backend.yaml."""
