"""The points scheme shipped by default (one scheme: 100 base = daily conduct + appraisal;
items under the four categories the seed names). Editable in the back office."""

DEFAULT_RULES = [
    # code, category, name, points, evidence required
    ("study", "political", "参加集中学习", "2", True),
    ("study-online", "political", "完成线上学习任务", "1", False),
    ("life-meeting", "organizational", "按时参加组织生活（三会一课）", "2", True),
    ("dues", "organizational", "按时足额交纳党费", "1", False),
    ("theme-day", "organizational", "参加主题党日活动", "2", True),
    ("absent", "discipline", "无故缺席组织生活", "-3", True),
    ("late-dues", "discipline", "未按时交纳党费", "-2", False),
    ("misconduct", "discipline", "违反纪律受到处理", "-10", True),
    ("serve-households", "role", "联系服务群众（走访联系户）", "2", True),
    ("volunteer", "role", "参加志愿服务", "2", True),
    ("mediate", "role", "参与调解矛盾纠纷", "3", True),
    ("pioneer", "role", "先锋岗、责任区表现突出", "5", True),
]


def load_default_rules(PointRule) -> int:  # noqa: N803 (a model class, from migrations too)
    for code, category, name, points, evidence in DEFAULT_RULES:
        PointRule.objects.update_or_create(
            code=code,
            defaults={
                "category": category,
                "name": name,
                "points": points,
                "evidence_required": evidence,
            },
        )
    return len(DEFAULT_RULES)
