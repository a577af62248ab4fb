"""The categories of PRODUCT.md's loop, step 1, in their order."""

CATEGORIES = [
    ("basic_living", "基本生活", "Basic living"),
    ("medical", "医疗", "Medical"),
    ("education", "教育", "Education"),
    ("housing", "住房", "Housing"),
    ("employment", "就业", "Employment"),
    ("elderly_care", "养老服务", "Elderly care"),
    ("disability", "残疾人照护与康复", "Disability care and rehabilitation"),
    ("child_care", "儿童关爱保护", "Child care and protection"),
    ("psychological", "心理支持", "Psychological support"),
    ("emergency", "急难救助", "Emergency"),
    ("other", "其他", "Other"),
]


def seed_categories(category_model) -> int:
    created = 0
    for order, (code, zh, en) in enumerate(CATEGORIES, start=1):
        _obj, was_created = category_model.objects.get_or_create(
            code=code, defaults={"name_zh": zh, "name_en": en, "order": order}
        )
        created += was_created
    return created
