"""Texts shared by the home-page data migration and website.demo.ensure_reference_data."""

HOME_INTRO = (
    "救助衔接平台连接政府救助与慈善救助：民政部门发布法定救助覆盖不到的困难群众需求，"
    "经审核的慈善组织和社会工作服务机构承接服务，合同、验收和付款全程可查。"
)
HOME_INTRO_EN = (
    "Safetynet links government and charity assistance: civil-affairs staff publish the needs of people in "
    "hardship that statutory aid does not cover, vetted charities and social-work organisations take them on, "
    "and contracts, acceptance and payments are tracked in the open."
)
