from tests.demo_shop.fixtures import (  # noqa: F401
    fresh_postgres_shop,
    fresh_shop_api_url,
    fresh_sqlite_shop,
    seeded_postgres_shop,
    seeded_sqlite_shop,
    shop_api_url,
)
