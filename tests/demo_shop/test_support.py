"""put_back_afterwards: a module that shares the live assistant's shop leaves it as it found it."""

from sqlalchemy import text

from kefu.storage.handoff_schema import create_handoff_schema
from tests.demo_shop.support import put_back_afterwards, seeded_sqlite


def test_the_rows_come_back_and_the_tables_stay_while_the_database_is_open(tmp_path):
    shop = seeded_sqlite(tmp_path / "shop.db")
    create_handoff_schema(shop.engine)
    server = shop.engine  # open throughout, as a server's connection pool is

    def status():
        with server.connect() as connection:
            return connection.execute(text("SELECT status FROM orders WHERE id = '2024111100003'")).scalar_one()

    before = status()
    with put_back_afterwards(tmp_path / "shop.db", tmp_path / "snapshot.db"):
        with server.begin() as connection:
            connection.execute(text("UPDATE orders SET status = 'cancelled' WHERE id = '2024111100003'"))
            connection.execute(text("INSERT INTO verification_failures (order_id, client_key, failed_at) "
                                    "VALUES ('2024111100003', 'sender:guesser', 1)"))
            connection.execute(text("CREATE TABLE made_meanwhile (id INTEGER PRIMARY KEY)"))
            connection.execute(text("INSERT INTO made_meanwhile VALUES (1)"))
        assert status() == "cancelled"

    assert status() == before != "cancelled"
    with server.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM verification_failures")).scalar_one() == 0
        # A table a server made meanwhile is still there for it, without the rows.
        assert connection.execute(text("SELECT count(*) FROM made_meanwhile")).scalar_one() == 0
    shop.engine.dispose()
