"""kefu/channels/chatlog_import.py: the sample Taobao and JD exports (kefu/channels/samples/) imported into
a real SQLite tracker store as Rasa reads it back, idempotently; later exports merged in time order;
bad rows reported with their line."""

from __future__ import annotations

import asyncio
import io
import shutil
import uuid
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa
from rasa.shared.core.events import BotUttered, SessionStarted, UserUttered

from kefu.channels import chatlog_import
from kefu.channels.chatlog_formats import BadRow, read_export
from kefu.channels.chatlog_import import import_files, sender_id_of, tracker_store
from kefu.settings import PROJECT_ROOT, Settings
from tests.demo_shop.support import find_postgres

SAMPLES = PROJECT_ROOT / "kefu" / "channels" / "samples"
PLATFORMS = ("taobao", "jd", "pdd", "douyin")
HEADER_TAOBAO = "买家昵称,客服昵称,发送人,发送时间,消息内容\n"


@pytest.fixture
def store(tmp_path):
    return tracker_store(Settings.from_env({"TRACKER_DB_NAME": str(tmp_path / "tracker.db")}))


def conversation(store, platform, buyer):
    tracker = asyncio.run(store.retrieve_full_tracker(sender_id_of(platform, buyer)))
    return [] if tracker is None else list(tracker.events)


def said(events):
    return [("buyer" if isinstance(e, UserUttered) else "agent", e.text)
            for e in events if isinstance(e, (UserUttered, BotUttered))]


def test_the_samples_are_imported_as_conversations_rasa_reads(store):
    report = import_files(sorted(SAMPLES.iterdir()), store, None, PLATFORMS)

    assert (report.rows, report.added, report.known, report.bad) == (17, 17, 0, [])
    events = conversation(store, "taobao", "tb_小鱼儿")
    # The CSV (11 Nov) and the open-platform JSON (13 Nov) of the same buyer: one conversation, two sessions.
    assert said(events)[:2] == [("buyer", "在吗？这件T恤有M码吗"), ("agent", "亲，在的哦~ M码还有货，今天下单48小时内发出")]
    assert said(events)[-3:] == [("buyer", "拍错了不要了，能取消吗"), ("agent", "亲，订单还没发货，您在订单页点取消就可以哦"),
                                 ("buyer", "好的")]
    assert sum(isinstance(e, SessionStarted) for e in events) == 2
    first_buyer = next(e for e in events if isinstance(e, UserUttered))
    assert first_buyer.metadata["channel"] == "taobao" and first_buyer.input_channel == "taobao"
    first_agent = next(e for e in events if isinstance(e, BotUttered))
    assert first_agent.metadata["handoff"] == {"from": "agent", "agent": "蜂蜜小店:小美"}
    assert first_agent.metadata["imported"]["source"] == "taobao_chatlog.csv:3"
    jd = said(conversation(store, "jd", "jd_43a9b1c2"))
    assert jd[-1] == ("agent", "亲，退款已原路退回，1-3个工作日到账哦")  # JSON, times in milliseconds
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_importing_again_adds_nothing(store):
    files = sorted(SAMPLES.iterdir())
    import_files(files, store, None, PLATFORMS)
    before = conversation(store, "jd", "jd_43a9b1c2")

    again = import_files(files, store, None, PLATFORMS)

    assert (again.added, again.known, again.conversations) == (0, 17, 0)
    assert [e.as_dict() for e in conversation(store, "jd", "jd_43a9b1c2")] == [e.as_dict() for e in before]


def test_a_later_export_with_older_and_overlapping_messages_is_merged_in_time_order(store, tmp_path):
    late = tmp_path / "taobao_late.csv"
    late.write_text(HEADER_TAOBAO + "tb_new,店:小美,tb_new,2024-11-20 10:00:00,还有货吗\n", encoding="utf-8")
    import_files([late], store, None, PLATFORMS)
    wider = tmp_path / "taobao_wider.csv"
    wider.write_text(HEADER_TAOBAO
                     + "tb_new,店:小美,tb_new,2024-11-19 09:00:00,你好\n"
                     + "tb_new,店:小美,店:小美,2024-11-19 09:00:20,亲，在的\n"
                     + "tb_new,店:小美,tb_new,2024-11-20 10:00:00,还有货吗\n", encoding="utf-8")

    report = import_files([wider], store, None, PLATFORMS)

    assert (report.added, report.known) == (2, 1)
    assert said(conversation(store, "taobao", "tb_new")) == [("buyer", "你好"), ("agent", "亲，在的"), ("buyer", "还有货吗")]


def test_bad_rows_are_reported_with_their_line_and_the_rest_imported(store, tmp_path):
    export = tmp_path / "taobao_bad.csv"
    export.write_text(HEADER_TAOBAO
                      + "tb_a,店:小美,tb_a,2024-11-11 10:00:00,好的\n"
                      + ",店:小美,tb_a,2024-11-11 10:00:01,没有买家\n"
                      + "tb_a,店:小美,tb_a,昨天下午,时间不对\n"
                      + "tb_a,店:小美,tb_a,2024-11-11 10:00:03,\n"
                      + "tb_a,店:小美,路人,2024-11-11 10:00:04,谁说的\n"
                      + "\n"
                      + "tb_a,店:小美,tb_a,2024-11-11 10:00:05," + "啊" * 10_001 + "\n"
                      + "tb_a,店:小美,客服,2024-11-11 10:00:06,😀😀\n", encoding="utf-8")

    report = import_files([export], store, None, PLATFORMS)

    assert [str(bad).split(":")[1] for bad in report.bad] == ["3", "4", "5", "6", "8"]
    assert "time not understood" in str(report.bad[1]) and "cannot tell" in str(report.bad[3])
    assert said(conversation(store, "taobao", "tb_a")) == [("buyer", "好的"), ("agent", "😀😀")]


def test_an_export_without_the_needed_columns_or_not_json_says_so(tmp_path):
    no_columns = tmp_path / "x.csv"
    no_columns.write_text("a,b,c\n1,2,3\n", encoding="utf-8")
    [bad] = list(read_export(no_columns, "jd"))
    assert isinstance(bad, BadRow) and "no column for buyer, text, time" in bad.reason

    broken = tmp_path / "x.json"
    broken.write_text('{"chatLogList": [', encoding="utf-8")
    [bad] = list(read_export(broken, "jd"))
    assert isinstance(bad, BadRow) and bad.reason.startswith("not JSON")

    assert [r.reason for r in read_export(_written(tmp_path / "e.json", "[]"), "jd")] == ["no list of messages in it"]


def test_an_export_saved_by_excel_in_gb18030_is_read(tmp_path):
    export = tmp_path / "jd_gbk.csv"
    export.write_bytes(("会话ID,顾客账号,客服账号,发送方,时间,消息内容\n"
                        "s1,jd_pin9,店_小王,顾客,2024/11/11 09:30:00,在吗\n").encode("gb18030"))
    [line] = list(read_export(export, "jd"))
    assert (line.buyer_id, line.from_buyer, line.text, line.at.hour) == ("jd_pin9", True, "在吗", 9)


def test_the_command_shows_progress_and_the_summary(tmp_path, monkeypatch):
    files = tmp_path / "exports"
    shutil.copytree(SAMPLES, files)
    monkeypatch.setenv("TRACKER_DB_NAME", str(tmp_path / "tracker.db"))
    out, err = io.StringIO(), io.StringIO()

    assert chatlog_import.main([str(p) for p in sorted(files.iterdir())], out=out, err=err) == 0
    assert "17 messages added in 4 conversations" in out.getvalue()
    assert "reading" in err.getvalue() and "4/4 conversations written" in err.getvalue()

    out = io.StringIO()
    assert chatlog_import.main([str(p) for p in sorted(files.iterdir())], out=out, err=io.StringIO()) == 0
    assert "0 messages added in 0 conversations, 17 already imported" in out.getvalue()

    unnamed = _written(tmp_path / "export.csv", HEADER_TAOBAO)
    out = io.StringIO()
    assert chatlog_import.main([str(unnamed)], out=out, err=io.StringIO()) == 1
    assert "name it with --platform" in out.getvalue()
    assert chatlog_import.main([str(tmp_path / "missing.csv")], out=io.StringIO(), err=io.StringIO()) == 2


def _written(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_postgresql_tracker_store_takes_the_import_idempotently(tmp_path):
    url, reason = find_postgres()
    if url is None:
        pytest.skip(f"PostgreSQL tracker store not tested: {reason}")
    database = sa.engine.make_url(url).database
    store = tracker_store(Settings.from_env({"TRACKER_DB_DIALECT": "postgresql", "TRACKER_DB_HOST": url,
                                             "TRACKER_DB_NAME": database}))
    buyer = f"tb_pg_{uuid.uuid4().hex[:8]}"  # the database is shared: a buyer of this run only
    export = _written(tmp_path / "taobao_pg.csv", HEADER_TAOBAO
                      + f"{buyer},店:小美,{buyer},2024-11-11 10:00:00,在吗\n"
                      + f"{buyer},店:小美,店:小美,2024-11-11 10:00:09,在的亲\n")
    try:
        assert import_files([export], store, None, PLATFORMS).added == 2
        assert import_files([export], store, None, PLATFORMS).known == 2
        assert said(conversation(store, "taobao", buyer)) == [("buyer", "在吗"), ("agent", "在的亲")]
    finally:
        with store.session_scope() as session:
            session.query(store.SQLEvent).filter(store.SQLEvent.sender_id == sender_id_of("taobao", buyer)).delete()
            session.commit()


def test_an_xlsx_export_is_read_with_excel_times_and_numbers(store, tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["顾客账号", "客服账号", "发送方", "时间", "消息内容"])
    sheet.append(["jd_x1", "店_小王", "顾客", datetime(2024, 11, 11, 9, 30), "有货吗"])
    sheet.append(["jd_x1", "店_小王", "客服", datetime(2024, 11, 11, 9, 31), 1])
    sheet.append(["jd_x1", "店_小王", "顾客", "不是时间", "坏行"])
    workbook.save(tmp_path / "jd_export.xlsx")

    report = import_files([tmp_path / "jd_export.xlsx"], store, None, PLATFORMS)

    assert [str(bad) for bad in report.bad] == ["jd_export.xlsx:4: time not understood: '不是时间'"]
    assert said(conversation(store, "jd", "jd_x1")) == [("buyer", "有货吗"), ("agent", "1")]
