"""The field's own vocabulary: the synonym groups seeded on installation. Staff extend
them as data (``matching.SynonymGroup`` in the admin)."""

SEED_GROUPS = [
    ["独居老人", "空巢老人", "孤寡老人"],
    ["助餐", "送餐", "老年食堂"],
    ["残疾", "残障"],
    ["大病", "重病"],
    ["留守儿童", "困境儿童"],
    ["心理疏导", "心理咨询"],
]
