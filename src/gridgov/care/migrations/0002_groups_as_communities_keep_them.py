"""The special groups as communities keep them, and the residents already in them.

Visit plans follow common practice in the seeds' districts: the elderly living alone are
seen weekly; people under community correction or with serious mental illness fortnightly
or more; the rest monthly or quarterly. All are editable in the back office."""

import datetime as dt

from django.db import migrations

GROUPS = [
    # key, name, sensitive, visit every (days), review every (days), fields
    ("elderly_alone", "独居老人", False, 7, 180, [
        {"key": "guardian", "label": "监护人/联系人", "kind": "text", "required": False},
        {"key": "guardian_phone", "label": "联系人电话", "kind": "phone", "required": False},
        {"key": "health", "label": "健康状况", "kind": "choice",
         "choices": ["良好", "一般", "较差", "失能"], "required": False},
    ]),
    ("disabled", "残疾人", False, 30, 365, [
        {"key": "certificate", "label": "残疾证号", "kind": "text", "required": False},
        {"key": "category", "label": "残疾类别", "kind": "choice",
         "choices": ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"], "required": False},
        {"key": "grade", "label": "残疾等级", "kind": "choice",
         "choices": ["一级", "二级", "三级", "四级"], "required": False},
    ]),
    ("dibao", "低保户", False, 90, 365, [
        {"key": "certificate", "label": "低保证号", "kind": "text", "required": False},
        {"key": "monthly_yuan", "label": "月保障金(元)", "kind": "number", "required": False},
    ]),
    ("low_income", "低收入家庭", False, 90, 365, []),
    ("left_behind_child", "留守儿童", False, 30, 180, [
        {"key": "guardian", "label": "监护人", "kind": "text", "required": True},
        {"key": "guardian_phone", "label": "监护人电话", "kind": "phone", "required": False},
        {"key": "school", "label": "学校", "kind": "text", "required": False},
    ]),
    ("veteran", "退役军人", False, 90, 365, [
        {"key": "service", "label": "服役单位/年限", "kind": "text", "required": False},
    ]),
    ("community_correction", "社区矫正人员", True, 7, 90, [
        {"key": "term_ends", "label": "矫正期满", "kind": "date", "required": True},
        {"key": "officer", "label": "司法所联系人", "kind": "text", "required": False},
    ]),
    ("drug_rehab", "社区戒毒康复人员", True, 14, 90, [
        {"key": "term_ends", "label": "康复期满", "kind": "date", "required": False},
    ]),
    ("mental_illness", "严重精神障碍患者", True, 14, 90, [
        {"key": "risk_level", "label": "危险性评估等级", "kind": "choice",
         "choices": ["0级", "1级", "2级", "3级", "4级", "5级"], "required": True},
        {"key": "guardian", "label": "监护人", "kind": "text", "required": True},
        {"key": "guardian_phone", "label": "监护人电话", "kind": "phone", "required": False},
    ]),
    ("key_care", "其他重点关爱对象", False, 30, 365, []),
]
# The old free list on the resident, as it was written.
OLD_KEYS = {"elderly_alone", "disabled", "low_income", "veteran", "left_behind_child", "key_care"}


def seed_groups(apps, schema_editor):
    CareTag = apps.get_model("care", "CareTag")
    for position, (key, name, sensitive, visit, review, fields) in enumerate(GROUPS):
        CareTag.objects.update_or_create(
            key=key,
            defaults={
                "name": name,
                "sensitive": sensitive,
                "visit_every_days": visit,
                "review_every_days": review,
                "fields": fields,
                "position": position,
            },
        )


def copy_old_groups(apps, schema_editor):
    CareTag = apps.get_model("care", "CareTag")
    Resident = apps.get_model("registry", "Resident")
    ResidentTag = apps.get_model("care", "ResidentTag")
    tags = {t.key: t for t in CareTag.objects.filter(key__in=OLD_KEYS)}
    today = dt.date.today()
    pending = []
    for resident in Resident.objects.exclude(special_groups=[]).only(
        "id", "area_id", "special_groups"
    ).iterator():
        for key in resident.special_groups or []:
            tag = tags.get(key)
            if tag is None:
                continue
            pending.append(
                ResidentTag(
                    resident_id=resident.id,
                    tag=tag,
                    area_id=resident.area_id,
                    since=today,
                    review_due=today + dt.timedelta(days=tag.review_every_days),
                    visit_due=today if tag.visit_every_days else None,
                )
            )
        if len(pending) >= 2000:
            ResidentTag.objects.bulk_create(pending, ignore_conflicts=True)
            pending = []
    ResidentTag.objects.bulk_create(pending, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("care", "0001_initial"), ("registry", "0005_household_heads")]

    operations = [
        migrations.RunPython(seed_groups, migrations.RunPython.noop),
        migrations.RunPython(copy_old_groups, migrations.RunPython.noop),
    ]
