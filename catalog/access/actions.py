"""The actions a principal can ask for, and the relations that can allow them."""

from __future__ import annotations

from enum import StrEnum


class Action(StrEnum):
    """Every use case the authorization point decides."""

    VIEW = "view metadata"
    READ_DATA = "preview and extract data"
    SEE_SENSITIVE = "see sensitive columns"
    RUN_CHECKS = "run quality checks"
    REGISTER = "register a product in the domain"
    PUBLISH_VERSION = "publish a new version"
    APPROVE = "approve or send back a proposed product"
    REQUEST_ACCESS = "request access"
    DECIDE_ACCESS = "grant, deny, renew or revoke access"
    READ_AUDIT = "read the audit log"
    COPY_STORE = "copy the operational store to another database"


class Relation(StrEnum):
    """What a principal is to the resource asked about.

    Team relations come from the manifests: a member of the product's ODPS ``team`` or of its
    domain's ``domain.yaml`` team, with the member's ``role`` (``owner``, ``data steward``,
    ``data engineer``, …). ``admin`` comes from configuration, ``grantee`` from an approved,
    unexpired access request, ``open port`` from the port's access setting.
    """

    SIGNED_IN = "signed in"
    ADMIN = "governance admin"
    DOMAIN_OWNER = "domain owner"
    DOMAIN_STEWARD = "domain data steward"
    DOMAIN_MEMBER = "domain team member"
    PRODUCT_OWNER = "product owner"
    PRODUCT_STEWARD = "product data steward"
    PRODUCT_MEMBER = "product team member"
    GRANTEE = "holder of an access grant"
    OPEN_PORT = "reader of an open output port"
    SUBMITTER = "submitter of the product"
