"""Other message types (image, voice, file, link, mini program …) made from clean text messages."""

from __future__ import annotations

import json
import random
from typing import Any


def media_message(
    record: dict[str, Any], rng: random.Random, text: str, role: str, chat: str, ctx: dict[str, Any]
) -> None:
    """Turn a clean message into one of the other message types."""
    r = rng.random()
    md5 = f"{rng.getrandbits(128):032x}"
    sdk = f"sdk{rng.getrandbits(64):016x}"
    if r < 0.35:
        record["msgtype"] = "image"
        record["image"] = {"md5sum": md5, "filesize": rng.randint(20_000, 900_000), "sdkfileid": sdk}
    elif r < 0.5:
        record["msgtype"] = "emotion"
        record["emotion"] = {"type": 1, "width": 120, "height": 120, "imagesize": 9000, "md5sum": md5, "sdkfileid": sdk}
    elif r < 0.6:
        record["msgtype"] = "voice"
        record["voice"] = {"md5sum": md5, "voice_size": 4000, "play_length": rng.randint(2, 40), "sdkfileid": sdk}
    elif r < 0.68 and role == "s":
        record["msgtype"] = "file"
        record["file"] = {
            "md5sum": md5,
            "filename": f"{ctx['p']}产品说明.pdf",
            "fileext": "pdf",
            "filesize": 300_000,
            "sdkfileid": sdk,
        }
    elif r < 0.76 and role == "s":
        record["msgtype"] = "link"
        record["link"] = {
            "title": f"{ctx['p']}｜{ctx['brand']}官方小店",
            "description": ctx["feature"],
            "link_url": f"https://shop.zhidu-demo.cn/item/{rng.randint(1000, 99999)}",
            "image_url": "https://shop.zhidu-demo.cn/static/cover.jpg",
        }
    elif r < 0.82 and role == "s":
        record["msgtype"] = "weapp"
        record["weapp"] = {
            "title": f"{ctx['p']}",
            "description": ctx["feature"],
            "username": "gh_sim0001@app",
            "displayname": f"{ctx['brand']}商城",
        }
    elif r < 0.86 and role == "s" and chat == "group":
        record["msgtype"] = "markdown"
        record["info"] = {"content": f'**本周活动**\n> {ctx["p"]} 活动价 <font color="warning">{ctx["price"]}元</font>'}
    elif r < 0.88 and role == "s" and chat == "group":
        record["msgtype"] = "news"
        record["info"] = {
            "item": [
                {
                    "title": f"{ctx['brand']}新品上市",
                    "description": f"{ctx['p']}，{ctx['feature']}",
                    "url": "https://shop.zhidu-demo.cn/news/1",
                    "picurl": "https://shop.zhidu-demo.cn/static/news.jpg",
                }
            ]
        }
    elif r < 0.92:
        record["msgtype"] = "mixed"
        record["mixed"] = {
            "item": [
                {"type": "text", "content": json.dumps({"content": text}, ensure_ascii=False)},
                {"type": "image", "content": '{"md5sum":"' + md5 + '","filesize":1000,"sdkfileid":"' + sdk + '"}'},
            ]
        }
    elif r < 0.95 and role == "s":
        record["msgtype"] = "chatrecord"
        record["chatrecord"] = {
            "title": "群聊的聊天记录",
            "item": [
                {
                    "type": "ChatRecordText",
                    "msgtime": record["msgtime"] // 1000 - 600,
                    "content": json.dumps({"content": text}, ensure_ascii=False),
                    "from_chatroom": chat == "group",
                }
            ],
        }
    elif r < 0.97 and role == "c" and chat == "single":
        record["msgtype"] = "location"
        record["location"] = {
            "longitude": 120.1 + rng.random() / 10,
            "latitude": 30.2 + rng.random() / 10,
            "address": f"{ctx['city']}{ctx['street']}{ctx['no']}号",
            "title": "我的位置",
            "zoom": 15,
        }
    elif role == "s":
        record["msgtype"] = "card"
        record["card"] = {"corpname": ctx["brand"], "userid": f"sim_card_{rng.randint(1, 99)}"}
    else:
        record["msgtype"] = "text"
        record["text"] = {"content": text}
