"""The simulator's own tests reuse the WeCom fixtures (a running simulator over real HTTP)."""

from zhidu.wecom.tests.conftest import (  # noqa: F401  (pytest finds fixtures by name in this module)
    archive_private_key_pem,
    callback_receiver,
    fresh_sim,
    wecom_client,
    wecom_settings,
    wecom_sim,
)
