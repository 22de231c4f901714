"""Test data of the customer area, made through the services."""

import itertools

from salesops.crm import services

_n = itertools.count(1)


def make_customer(owner, *, actor=None, name=None, phone=None, **fields):
    number = next(_n)
    return services.customer_create(
        actor=actor or owner,
        name=name or f"测试客户{number:04d}有限公司",
        owner=owner,
        phone=phone if phone is not None else f"1390000{number:04d}",
        **fields,
    )
