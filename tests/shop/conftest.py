from tests.shop.fixtures import seeded_postgres_shop, seeded_sqlite_shop, shop_api_url  # noqa: F401
