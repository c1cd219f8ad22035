"""A photo sent through the web chat goes with the problem report the shopper makes afterwards, and the
agent who takes their case opens it from the report: the real Rasa server, action server and web chat
(the channel tests' shared assistant), the demo shop on SQLite."""

import requests

from kefu.backends.factory import sql_backends
from kefu.replies import identify
from tests.channels.support import AgentClient, wait_for
from tests.channels.test_webchat import WebShopper, blocking, png, run
from tests.logged_in import logged_in

C0002_ORDER = "2024111100005"  # CONTRACT §5: delivered a day ago, one dress; C0002 is no gold member


def test_a_photo_sent_before_the_report_goes_with_it_and_the_agent_opens_it_from_the_case(site):
    photo = png((24, 24))
    agent = AgentClient(site)
    agent.ok("post", "heartbeat")  # online: "转人工" opens a case rather than taking a message

    async def scenario():
        shopper = await WebShopper(site, identity=logged_in("C0002")).connect()
        # The photo first, as shoppers do: no message yet, so the conversation starts after it.
        uploaded = await blocking(shopper.upload, photo)
        turns = []
        for text in ("收到是坏的", C0002_ORDER, "裙子被剪破了一个大口子", "给我补发一个"):
            await shopper.says(text)
            turns.append([message.get("text") or "" for message in await shopper.bot_turn()])
        await shopper.says("转人工")
        turns.append([message.get("text") or "" for message in await shopper.bot_turn()])
        await shopper.disconnect()
        return shopper, uploaded, turns

    shopper, uploaded, turns = run(scenario)
    assert uploaded.status_code == 200, uploaded.text
    photo_id = uploaded.json()["photo_id"]
    reported, handed_over = turns[-2:]
    assert [identify(text) for text in reported] == ["problem_reported_reship", "problem_photos_attached"], turns
    assert "1 张照片" in reported[1]

    report = sql_backends(engine=site.service.engine).after_sales.problem_reports(C0002_ORDER)[-1]
    assert report.photo_ids == (photo_id,) and report.kind == "damaged"
    assert report.report_id in reported[0]

    case = wait_for(lambda: site.service.open_case_of(shopper.session_id), message=f"a case after {handed_over}")
    seen = agent.ok("get", f"cases/{case.id}/reports")
    assert seen["order_id"] == C0002_ORDER
    (shown,) = [item for item in seen["reports"] if item["report_id"] == report.report_id]
    (link,) = shown["photos"]
    opened = requests.get(site.rasa_url + link, timeout=30)
    assert opened.status_code == 200 and opened.content == photo, "the agent opens the photo from the report"
    assert requests.get(site.rasa_url + link.split("?")[0], timeout=30).status_code == 401, "not without the link"
    agent.claim(case.id)
    agent.close(case.id)

