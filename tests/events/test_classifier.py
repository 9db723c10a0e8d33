import pytest
from django.core.management import call_command

from gridgov.events import classifier
from gridgov.events.services import event_act, event_report
from tests.events.conftest import report_data


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("路口有辆汽车乱停，占道停车好几天了", "0504"),
        ("小区门口垃圾堆放没人清运", "0102"),
        ("楼道里电动车飞线充电很危险", "1402"),
        ("下水道堵塞，污水冒出来了", "0404"),
    ],
)
def test_suggestions_put_the_right_subclass_first_and_say_why(text, code):
    suggestions = classifier.suggest(text)
    assert len(suggestions) == 3
    assert suggestions[0]["code"] == code
    assert suggestions[0]["score"] > suggestions[1]["score"]
    assert suggestions[0]["words"]
    assert all(word in text for word in suggestions[0]["words"])


@pytest.mark.django_db
def test_history_teaches_new_words(operator, reporter, wenhui_point):
    text = "三轮车占用盲道卖水果"
    before = classifier.suggest(text)[0]["code"]
    for _ in range(6):
        event = event_report(
            user=reporter,
            data=report_data(wenhui_point, subclass="0501", description=text),
            source="resident",
        )
        event_act(user=operator, event_id=event.pk, action="accept")
    call_command("train_classifier", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert classifier.suggest(text)[0]["code"] == "0501"
    assert before in {"0501", *{c["code"] for c in classifier.suggest(text)}}


@pytest.mark.django_db
def test_intake_keeps_the_suggestions(reporter, wenhui_point):
    event = event_report(
        user=reporter,
        data=report_data(wenhui_point, description="有人乱停车堵住路口"),
        source="resident",
    )
    assert event.extra["suggestions"][0]["code"] == "0504"
