"""The default catalog shipped with gridgov, editable in the back office.

Event and component classes follow CJ/T 214-2007 / GB/T 30428.2 (major classes
01–06, type code = major 2 + minor 2). The 15 classes of grid events of the
Gucheng event list (入网格事件清单; the seed names 城市管理, 交通出行, 民生服务 and
says there are 15) are local extensions with major codes 11–25. Time limits are
working hours per urgency for accepting, dispatching and handling; the handling
limits of the examples in STANDARDS.md are used where they exist (exposed garbage
4 h, illegal construction: stop within 4 h), the rest are defaults to be tuned.
"""

# (code, zh, en)
EVENT_CLASSES = [
    ("01", "市容环境", "City appearance and environment"),
    ("02", "宣传广告", "Publicity and advertising"),
    ("03", "施工管理", "Construction management"),
    ("04", "突发事件", "Emergencies"),
    ("05", "街面秩序", "Street order"),
    ("06", "其他事件", "Other events"),
    ("11", "城市管理", "City management"),
    ("12", "交通出行", "Traffic and travel"),
    ("13", "民生服务", "Livelihood services"),
    ("14", "安全隐患", "Safety hazards"),
    ("15", "矛盾纠纷", "Disputes"),
    ("16", "社会治安", "Public order"),
    ("17", "生态环境", "Ecology and environment"),
    ("18", "市场监管", "Market supervision"),
    ("19", "文旅服务", "Culture and tourism"),
    ("20", "消防安全", "Fire safety"),
    ("21", "食品药品", "Food and drugs"),
    ("22", "防汛防灾", "Flood and disaster prevention"),
    ("23", "卫生健康", "Public health"),
    ("24", "特殊人群服务", "Care for special groups"),
    ("25", "其他网格事项", "Other grid matters"),
]

COMPONENT_CLASSES = [
    ("01", "公用设施", "Public utilities"),
    ("02", "道路交通", "Roads and traffic"),
    ("03", "市容环境", "City appearance facilities"),
    ("04", "园林绿化", "Landscaping"),
    ("05", "房屋土地", "Buildings and land"),
    ("06", "其他设施", "Other facilities"),
]

N = {"accept": 1, "dispatch": 1}  # working hours to accept and to dispatch, normal urgency

# (code, zh, en, keywords, handle hours, level that handles by default, photo required to verify)
EVENT_SUBCLASSES = [
    (
        "0101",
        "私搭乱建",
        "Illegal structure",
        "私搭 乱建 违建 搭建 棚子 违章建筑",
        4,
        "street",
        True,
    ),
    (
        "0102",
        "暴露垃圾",
        "Exposed garbage",
        "垃圾 暴露 乱扔 堆放 垃圾堆 清运 垃圾桶 满溢",
        4,
        "street",
        True,
    ),
    ("0103", "积存垃圾渣土", "Accumulated debris", "渣土 积存 建筑垃圾 堆积", 8, "street", True),
    ("0104", "道路不洁", "Dirty road", "道路 不洁 脏 污渍 油污 路面脏", 4, "street", True),
    ("0105", "水域不洁", "Dirty waterway", "河道 水面 漂浮物 水域 沟渠 脏", 8, "district", True),
    ("0107", "废弃车辆", "Abandoned vehicle", "废弃 车辆 僵尸车 报废", 40, "district", True),
    ("0109", "焚烧垃圾树叶", "Burning rubbish", "焚烧 烧垃圾 烧树叶 冒烟", 2, "street", True),
    ("0201", "非法小广告", "Illegal flyers", "小广告 牛皮癣 张贴 喷涂", 8, "street", True),
    ("0202", "违规广告牌匾", "Illegal signboard", "广告牌 牌匾 招牌 灯箱", 40, "district", True),
    ("0301", "施工扰民", "Construction noise", "施工 噪音 扰民 夜间施工", 4, "district", False),
    ("0303", "道路遗撒", "Spilled load", "遗撒 洒落 渣土车 泥土", 4, "street", True),
    ("0401", "路面塌陷", "Road collapse", "塌陷 坑 路面 下沉 坑洼", 2, "district", True),
    ("0402", "自来水管破裂", "Burst water main", "水管 破裂 漏水 爆管 停水", 2, "district", True),
    ("0403", "燃气泄漏", "Gas leak", "燃气 煤气 泄漏 天然气 气味", 1, "district", True),
    ("0404", "下水道堵塞", "Blocked sewer", "下水道 堵塞 污水 冒水 井盖 返水", 4, "street", True),
    (
        "0501",
        "无照经营游商",
        "Unlicensed hawker",
        "游商 摊贩 流动摊 无照经营 小贩",
        4,
        "street",
        True,
    ),
    ("0502", "店外经营", "Business outside shop", "占道 店外经营 出店 门前", 4, "street", True),
    ("0504", "机动车乱停放", "Illegal parking", "停车 乱停 违停 占道停车 汽车", 2, "street", True),
    ("0505", "非机动车乱停放", "Bicycle parking", "电动车 自行车 单车 乱停", 4, "street", True),
    ("0601", "其他事件", "Other", "其他", 40, "street", False),
    (
        "1101",
        "门前五包",
        "Front-door responsibilities",
        "门前五包 门前 卫生 秩序 绿化",
        8,
        "street",
        True,
    ),
    (
        "1102",
        "市政设施损坏",
        "Broken city facility",
        "路灯 不亮 井盖 缺失 护栏 损坏 设施",
        8,
        "district",
        True,
    ),
    ("1201", "交通拥堵", "Traffic jam", "拥堵 堵车 交通 路口", 1, "district", False),
    (
        "1202",
        "交通设施损坏",
        "Broken traffic facility",
        "红绿灯 信号灯 标线 标志牌 交通设施",
        8,
        "district",
        True,
    ),
    ("1301", "供水供电供气", "Water, power, gas", "停电 停水 断气 供电 供水", 4, "district", False),
    ("1302", "物业服务", "Property services", "物业 电梯 保洁 小区 维修", 24, "street", False),
    ("1401", "房屋安全隐患", "Unsafe building", "危房 裂缝 墙体 倒塌 房屋", 4, "district", True),
    (
        "1402",
        "电动车违规充电",
        "Unsafe e-bike charging",
        "飞线 充电 电动车 楼道",
        4,
        "street",
        True,
    ),
    ("1501", "邻里纠纷", "Neighbour dispute", "纠纷 吵架 邻居 矛盾 噪音", 40, "street", False),
    ("1502", "劳资纠纷", "Wage dispute", "欠薪 工资 劳资 讨薪", 40, "district", False),
    ("1601", "治安隐患", "Public-order risk", "打架 治安 盗窃 可疑", 2, "street", False),
    ("1701", "污水直排", "Sewage discharge", "排污 污水 直排 臭", 8, "district", True),
    ("1801", "价格欺诈", "Price fraud", "宰客 价格 欺诈 强买强卖", 8, "district", False),
    ("1901", "古城保护", "Old-town protection", "古城 保护 风貌 文物 古建筑", 24, "district", True),
    ("1902", "游客求助", "Visitor assistance", "游客 求助 迷路 走失", 1, "street", False),
    ("2001", "消防通道堵塞", "Blocked fire lane", "消防通道 堵塞 消防 占用", 2, "street", True),
    ("2101", "食品安全", "Food safety", "食品 变质 过期 卫生 餐馆", 8, "district", False),
    ("2201", "积水内涝", "Flooding", "积水 内涝 淹 暴雨 排水", 2, "street", True),
    ("2301", "病媒防治", "Pest control", "老鼠 蚊子 蟑螂 病媒", 24, "street", False),
    (
        "2401",
        "困难群众帮扶",
        "Help for people in difficulty",
        "困难 独居 老人 帮扶 低保 残疾",
        24,
        "street",
        False,
    ),
    ("2501", "其他网格事项", "Other grid matter", "其他", 40, "street", False),
]

# The enforcement list (执法清单) of the unified squad: matters handled by law enforcement.
ENFORCEMENT = {
    "0101",
    "0107",
    "0109",
    "0201",
    "0202",
    "0301",
    "0303",
    "0501",
    "0502",
    "0504",
    "1701",
    "1801",
    "1901",
    "2001",
    "2101",
}
# Matters not admitted to the grid (入格事项清单): emergencies and utilities go straight to their departments.
NOT_IN_GRID_LIST = {"0401", "0402", "0403", "1201", "1301"}

# Urgent matters (decision 0024): danger to life or property now — a gas leak, a road or a
# building that may collapse, a burst main, a blocked fire lane, flooding. Filed at the top
# urgency, alarmed on the queue and the screen, their deadlines run in calendar hours.
URGENT = {"0401", "0402", "0403", "1401", "2001", "2201"}

# Ready answers offered when filing (subclass, title, reply to the reporter, internal note):
# a few common ones; each district adds its own in the back office.
RESPONSE_TEMPLATES = [
    (
        "0403",
        "燃气泄漏 · 已通知抢修",
        "您反映的燃气泄漏已立案，燃气抢修人员正赶往现场。请勿使用明火和电器，尽快开窗通风并撤离。",
        "紧急：通知燃气公司抢修，同步告知属地派出所和消防。",
    ),
    (
        "0102",
        "暴露垃圾 · 已派清运",
        "您反映的垃圾问题已立案，环卫人员将尽快清运。感谢您的监督。",
        "派环卫清运，处置后拍照核查。",
    ),
    (
        "0504",
        "机动车乱停放 · 已转执法",
        "您反映的车辆乱停问题已立案，执法人员将到现场处理。",
        "转综合执法中队，先电话联系车主挪车。",
    ),
]

# Open311 publication (issue 8): matters about people, not places, are never published —
# disputes (class 15), public order and security (16), care for special groups and people in
# difficulty (24), a lost visitor asking for help. Petitions (信访) and Party matters (党)
# have no shipped subclass; `publication_for` keeps any local one with such a name private.
NOT_PUBLISHED_CLASSES = {"15", "16", "24"}
NOT_PUBLISHED = {"1902"}
PRIVATE_NAME_WORDS = ("纠纷", "治安", "信访", "上访", "党", "帮扶", "困难", "特殊人群", "求助")
# Reports usually placed on a public facility (a road, a main, a street lamp): the exact
# location helps everyone and reveals nobody, so it is published unrounded.
PUBLIC_FACILITY = {"0401", "0402", "0404", "1102", "1202"}

# (type code, zh, en) — a few common components of each class, for registration.
COMPONENT_TYPES = [
    ("0101", "上水井盖", "Water manhole cover"),
    ("0102", "污水井盖", "Sewage manhole cover"),
    ("0109", "消防栓", "Fire hydrant"),
    ("0118", "路灯", "Street lamp"),
    ("0201", "停车场", "Car park"),
    ("0206", "交通信号灯", "Traffic light"),
    ("0210", "护栏", "Guardrail"),
    ("0301", "公共厕所", "Public toilet"),
    ("0303", "垃圾箱", "Litter bin"),
    ("0401", "古树名木", "Heritage tree"),
    ("0402", "行道树", "Street tree"),
    ("0501", "宣传栏", "Notice board"),
    ("0601", "其他设施", "Other facility"),
]


def limits_for(handle_hours: float) -> dict[str, dict[str, float]]:
    """Working-hour limits per urgency: urgent halves, critical quarters the normal ones."""
    return {
        "normal": {"accept": 1, "dispatch": 1, "handle": handle_hours},
        "urgent": {"accept": 0.5, "dispatch": 0.5, "handle": max(1, handle_hours / 2)},
        "critical": {"accept": 0.25, "dispatch": 0.25, "handle": max(0.5, handle_hours / 4)},
    }


def load_response_templates(response_template, subclass) -> None:
    """Add the shipped ready answers that are missing (an edited one is never overwritten)."""
    by_code = {
        s.code: s for s in subclass.objects.filter(code__in=[r[0] for r in RESPONSE_TEMPLATES])
    }
    for code, title, reply, note in RESPONSE_TEMPLATES:
        if code in by_code:
            response_template.objects.get_or_create(
                subclass=by_code[code],
                title=title,
                defaults={"public_reply": reply, "internal_note": note},
            )


def publication_for(code: str, name_zh: str) -> str:
    """The Open311 publication of a subclass by default (values of Subclass.Publication)."""
    if (
        code[:2] in NOT_PUBLISHED_CLASSES
        or code in NOT_PUBLISHED
        or any(word in name_zh for word in PRIVATE_NAME_WORDS)
    ):
        return "none"
    return "public_sources"


def load_catalog(catalog_class, subclass, component_type) -> None:
    """Create or update the shipped catalog with the given model classes (real or historical)."""
    classes = {}
    for family, rows in (("event", EVENT_CLASSES), ("component", COMPONENT_CLASSES)):
        for code, zh, en in rows:
            classes[(family, code)], _created = catalog_class.objects.update_or_create(
                family=family, code=code, defaults={"name_zh": zh, "name_en": en}
            )
    # Historical models (data migrations) may lack fields added later: set only what exists.
    known = {f.name for f in subclass._meta.get_fields()}
    for code, zh, en, keywords, handle, level, photo in EVENT_SUBCLASSES:
        defaults = {
            "event_class": classes[("event", code[:2])],
            "name_zh": zh,
            "name_en": en,
            "keywords": keywords,
            "default_level": level,
            "time_limits": limits_for(handle),
            "photo_required": photo,
            "enforcement": code in ENFORCEMENT,
            "urgent": code in URGENT,
            "in_grid_list": code not in NOT_IN_GRID_LIST,
        }
        # Publication is set when a subclass is created, never reset by a reload: a district
        # that chose to publish or to hide a matter keeps its choice.
        published = {
            "publication": publication_for(code, zh),
            "public_facility": code in PUBLIC_FACILITY,
        }
        subclass.objects.update_or_create(
            code=code,
            defaults={k: v for k, v in defaults.items() if k in known},
            create_defaults={k: v for k, v in {**defaults, **published}.items() if k in known},
        )
    for code, zh, en in COMPONENT_TYPES:
        component_type.objects.update_or_create(
            code=code,
            defaults={
                "component_class": classes[("component", code[:2])],
                "name_zh": zh,
                "name_en": en,
            },
        )
