"""Demo data: two communities, every demo account of the README, orders in every status, and
micro-venture rounds (one supporting, one closed with a disclosed project).

Orders are made through the same service functions the API uses, so their timelines are real.
Only for demonstration: every demo account has the password `demo1234`.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.auth.caller import Caller
from backend.auth.models import Membership, StreetRole, User
from backend.auth.passwords import hash_password
from backend.auth.service import load_caller
from backend.catalog.models import Category, Provider, ProviderCommunity, ProviderStaff
from backend.catalog.service import default_categories_for
from backend.orders import service
from backend.orders.creation import create_order
from backend.orders.models import (
    CompleteBody,
    DispatchBody,
    OrderCreate,
    RateBody,
    ReasonBody,
)
from backend.places.models import Building, Community, District, Grid, Street
from backend.ventures.demo import seed_rounds

DEMO_PASSWORD = "demo1234"  # noqa: S105 — documented demo credential, demo data only

# phone, name, community slug (None: street-wide), roles, birth year
ACCOUNTS = (
    ("13800000000", "赵磊", None, ("admin",), 1975),
    ("13800000001", "张秀英", "demo", ("resident",), 1948),
    ("13800000002", "李建国", "demo", ("worker", "resident"), 1980),
    ("13800000003", "王红梅", "demo", ("party_member", "volunteer", "resident"), 1972),
    ("13800000004", "刘洋", "demo", ("volunteer", "resident"), 1996),
    ("13800000005", "陈静", "demo", ("provider",), 1988),
    ("13800000006", "孙立", None, ("reviewer",), 1969),
    ("13800000011", "周桂兰", "second", ("resident",), 1945),
    ("13800000012", "吴强", "second", ("worker", "resident"), 1983),
    ("13800000013", "郑浩", "second", ("volunteer", "resident"), 1999),
)


async def is_empty(session: AsyncSession) -> bool:
    return (await session.scalar(select(func.count()).select_from(Community))) == 0


async def _places(session: AsyncSession) -> tuple[Street, dict[str, Community], dict[str, list]]:
    district = District(name="示范区")
    session.add(district)
    await session.flush()
    street = Street(district_id=district.id, name="幸福街道")
    session.add(street)
    await session.flush()
    communities, buildings = {}, {}
    for slug, name in (("demo", "阳光社区"), ("second", "和谐社区")):
        community = Community(street_id=street.id, slug=slug, name=name)
        session.add(community)
        await session.flush()
        grids = [Grid(community_id=community.id, name=f"第{n}网格") for n in "一二三"]
        session.add_all(grids)
        await session.flush()
        buildings[slug] = [
            Building(community_id=community.id, grid_id=grids[i // 2].id, name=f"{i + 1}号楼")
            for i in range(6)
        ]
        session.add_all(buildings[slug])
        session.add_all(default_categories_for(community.id))
        communities[slug] = community
    await session.flush()
    return street, communities, buildings


async def seed_demo(session: AsyncSession) -> None:
    """Places, accounts and a handful of orders in every status."""
    communities, provider_id = await seed_people(session, hash_password(DEMO_PASSWORD))
    callers = {}
    for phone, *_ in ACCOUNTS:
        user = await session.scalar(select(User).where(User.phone == phone))
        callers[phone] = await load_caller(session, user)
    await _orders(session, callers, communities, provider_id)
    await seed_rounds(session, callers, communities)


async def seed_people(
    session: AsyncSession, password_hash: str
) -> tuple[dict[str, Community], int]:
    """Places, catalogues, the provider and every demo account (no orders); commits."""
    street, communities, buildings = await _places(session)
    provider = Provider(name="银发餐桌", uscc="91310000MA1FL8TQ36")
    session.add(provider)
    await session.flush()
    session.add(ProviderCommunity(provider_id=provider.id, community_id=communities["demo"].id))
    users: dict[str, User] = {}
    for index, (phone, name, slug, roles, born) in enumerate(ACCOUNTS):
        home = buildings[slug][index % 6] if slug else None
        user = User(
            phone=phone,
            name=name,
            password_hash=password_hash,
            birth_year=born,
            home_building_id=home.id if home else None,
            home_room=f"{index % 6 + 1}0{index % 3 + 1}" if home else None,
        )
        session.add(user)
        await session.flush()
        users[phone] = user
        for role in roles:
            if slug is None:
                session.add(StreetRole(user_id=user.id, street_id=street.id, role=role))
            else:
                session.add(
                    Membership(user_id=user.id, community_id=communities[slug].id, role=role)
                )
    session.add(ProviderStaff(provider_id=provider.id, user_id=users["13800000005"].id))
    await session.commit()
    return communities, provider.id


async def _category(session: AsyncSession, community: Community, code: str) -> int:
    return await session.scalar(
        select(Category.id).where(Category.community_id == community.id, Category.code == code)
    )


async def _orders(
    session: AsyncSession,
    callers: dict[str, Caller],
    communities: dict[str, Community],
    provider_id: int,
) -> None:
    resident, worker = callers["13800000001"], callers["13800000002"]
    party, volunteer, staff = callers["13800000003"], callers["13800000004"], callers["13800000005"]
    demo = communities["demo"]

    async def order(
        who: Caller,
        code: str,
        text: str,
        *,
        community: Community = demo,
        urgency: str = "normal",
        beneficiary: dict | None = None,
    ) -> int:
        body = OrderCreate(
            community_id=community.id,
            category_id=await _category(session, community, code),
            description=text,
            urgency=urgency,
            beneficiary=beneficiary,
        )
        _status, answer = await create_order(session, caller=who, body=body, idempotency_key=None)
        return answer["id"]

    async def step(who: Caller, order_id: int, action: str, body: object = None) -> None:
        await service.act(session, caller=who, order_id=order_id, action=action, body=body)

    await order(resident, "lighting", "3单元二楼到三楼的楼道灯不亮了，晚上上下楼看不见。")
    await order(resident, "meal", "老伴住院了，这周中午需要送一份软一点的饭菜。", urgency="urgent")
    pooled = await order(resident, "errand", "帮忙去药店买降压药（硝苯地平缓释片），钱当面给。")
    await step(worker, pooled, "dispatch", DispatchBody(mode="pool"))
    pooled2 = await order(resident, "environment", "楼下自行车棚堆了很多废纸箱，需要清理。")
    await step(worker, pooled2, "dispatch", DispatchBody(mode="pool"))
    to_provider = await order(resident, "meal", "每天中午送一份午餐，少盐。")
    await step(
        worker, to_provider, "dispatch", DispatchBody(mode="assign", provider_id=provider_id)
    )
    accepted = await order(resident, "plumbing", "厨房水龙头一直滴水，关不紧。")
    await step(
        worker, accepted, "dispatch", DispatchBody(mode="assign", assignee_user_id=volunteer.id)
    )
    await step(volunteer, accepted, "accept")
    going = await order(
        worker,
        "escort",
        "周三上午需要人陪同去区中心医院复查。",
        beneficiary={"name": "钱淑珍", "phone": "13900000021", "age": 83},
    )
    await step(worker, going, "dispatch", DispatchBody(mode="pool"))
    await step(party, going, "accept")
    await step(party, going, "start")
    done = await order(resident, "appliance", "电视机开机后没有声音。")
    await step(worker, done, "dispatch", DispatchBody(mode="pool"))
    await step(volunteer, done, "accept")
    await step(volunteer, done, "start")
    await step(
        volunteer, done, "complete", CompleteBody(note="音频线松了，已重新插好并测试。", hours=1)
    )
    for code, text, stars in (
        ("errand", "帮忙代缴本月燃气费。", 5),
        ("lighting", "5号楼一楼门厅灯闪烁。", 4),
    ):
        closed = await order(resident, code, text)
        await step(worker, closed, "dispatch", DispatchBody(mode="pool"))
        await step(party, closed, "accept")
        await step(party, closed, "start")
        await step(party, closed, "complete", CompleteBody(note="已处理完毕。", hours=1.5))
        await step(
            resident,
            closed,
            "rate",
            RateBody(stars=stars, timeliness=5, attitude=5, quality=stars, comment="谢谢志愿者！"),
        )
    rejected = await order(resident, "legal", "想咨询一下隔壁装修噪音的问题。")
    await step(worker, rejected, "reject", ReasonBody(reason="属于物业管理范围，已转物业处理。"))
    cancelled = await order(resident, "bath", "想预约下周的助浴服务。")
    await step(resident, cancelled, "cancel", ReasonBody(reason="家里人回来了，暂时不需要。"))
    served = await order(resident, "meal", "周末两天送午餐。")
    await step(worker, served, "dispatch", DispatchBody(mode="assign", provider_id=provider_id))
    await step(staff, served, "accept")

    second = communities["second"]
    elder, second_worker = callers["13800000011"], callers["13800000012"]
    await order(elder, "plumbing", "卫生间下水道堵了。", community=second)
    pooled3 = await order(elder, "errand", "帮忙取一下快递，放在驿站。", community=second)
    await step(second_worker, pooled3, "dispatch", DispatchBody(mode="pool"))
