"""Places a developer can pin in the simulator: preset reports with Thai addresses, and the cities
labelled on the drawn map. Made-up addresses of public landmarks; no real person's location."""

from __future__ import annotations

PRESETS: list[dict] = [
    # First: the demo station officer (`khlongtoei`) acts as Khlong Toei's inspector, so this pin's
    # alert reaches the back office's demonstration account.
    {
        "name_th": "ตลาดคลองเตย กรุงเทพฯ",
        "name_en": "Khlong Toei Market, Bangkok",
        "title": "ตลาดคลองเตย",
        "address": "ถนนพระรามที่ 4 แขวงคลองเตย เขตคลองเตย กรุงเทพมหานคร 10110",
        "latitude": 13.7224,
        "longitude": 100.5585,
    },
    {
        "name_th": "อนุสาวรีย์ชัยสมรภูมิ กรุงเทพฯ",
        "name_en": "Victory Monument, Bangkok",
        "title": "อนุสาวรีย์ชัยสมรภูมิ",
        "address": "ถนนพหลโยธิน แขวงทุ่งพญาไท เขตราชเทวี กรุงเทพมหานคร 10400",
        "latitude": 13.7649,
        "longitude": 100.5383,
    },
    {
        "name_th": "ประตูท่าแพ เชียงใหม่",
        "name_en": "Tha Phae Gate, Chiang Mai",
        "title": "ประตูท่าแพ",
        "address": "ถนนมูลเมือง ตำบลพระสิงห์ อำเภอเมืองเชียงใหม่ จังหวัดเชียงใหม่ 50200",
        "latitude": 18.7877,
        "longitude": 98.9933,
    },
    {
        "name_th": "บึงแก่นนคร ขอนแก่น",
        "name_en": "Kaen Nakhon Lake, Khon Kaen",
        "title": "บึงแก่นนคร",
        "address": "ตำบลในเมือง อำเภอเมืองขอนแก่น จังหวัดขอนแก่น 40000",
        "latitude": 16.4127,
        "longitude": 102.8355,
    },
    {
        "name_th": "อนุสาวรีย์ท้าวสุรนารี นครราชสีมา",
        "name_en": "Thao Suranari Monument, Nakhon Ratchasima",
        "title": "อนุสาวรีย์ท้าวสุรนารี",
        "address": "ตำบลในเมือง อำเภอเมืองนครราชสีมา จังหวัดนครราชสีมา 30000",
        "latitude": 14.9748,
        "longitude": 102.0978,
    },
    {
        "name_th": "หาดป่าตอง ภูเก็ต",
        "name_en": "Patong Beach, Phuket",
        "title": "หาดป่าตอง",
        "address": "ตำบลป่าตอง อำเภอกะทู้ จังหวัดภูเก็ต 83150",
        "latitude": 7.8964,
        "longitude": 98.2961,
    },
    {
        "name_th": "ตลาดกิมหยง หาดใหญ่ สงขลา",
        "name_en": "Kim Yong Market, Hat Yai, Songkhla",
        "title": "ตลาดกิมหยง",
        "address": "ถนนศุภสารรังสรรค์ ตำบลหาดใหญ่ อำเภอหาดใหญ่ จังหวัดสงขลา 90110",
        "latitude": 7.0053,
        "longitude": 100.4699,
    },
    {
        "name_th": "ไม่มีชื่อสถานที่ (เฉพาะพิกัด) ลำปาง",
        "name_en": "Coordinates only, Lampang",
        "title": None,
        "address": None,
        "latitude": 18.2888,
        "longitude": 99.4928,
    },
    {
        "name_th": "เวียงจันทน์ ลาว (นอกประเทศไทย)",
        "name_en": "Vientiane, Laos (outside Thailand)",
        "title": "Patuxai",
        "address": "Vientiane, Laos",
        "latitude": 17.9707,
        "longitude": 102.6187,
    },
]

CITIES: list[dict] = [
    {"th": "กรุงเทพฯ", "en": "Bangkok", "latitude": 13.7563, "longitude": 100.5018},
    {"th": "เชียงใหม่", "en": "Chiang Mai", "latitude": 18.7883, "longitude": 98.9853},
    {"th": "เชียงราย", "en": "Chiang Rai", "latitude": 19.9105, "longitude": 99.8406},
    {"th": "พิษณุโลก", "en": "Phitsanulok", "latitude": 16.8211, "longitude": 100.2659},
    {"th": "ขอนแก่น", "en": "Khon Kaen", "latitude": 16.4322, "longitude": 102.8236},
    {"th": "อุดรธานี", "en": "Udon Thani", "latitude": 17.4138, "longitude": 102.7872},
    {"th": "นครราชสีมา", "en": "Nakhon Ratchasima", "latitude": 14.9799, "longitude": 102.0978},
    {"th": "อุบลราชธานี", "en": "Ubon Ratchathani", "latitude": 15.2448, "longitude": 104.8473},
    {"th": "พัทยา", "en": "Pattaya", "latitude": 12.9236, "longitude": 100.8825},
    {"th": "สุราษฎร์ธานี", "en": "Surat Thani", "latitude": 9.1382, "longitude": 99.3215},
    {"th": "ภูเก็ต", "en": "Phuket", "latitude": 7.8804, "longitude": 98.3923},
    {"th": "หาดใหญ่", "en": "Hat Yai", "latitude": 7.0086, "longitude": 100.4747},
]

STICKERS: list[dict] = [
    {"packageId": "446", "stickerId": "1988", "emoji": "😊", "keywords": ["smile"]},
    {"packageId": "446", "stickerId": "1989", "emoji": "🙏", "keywords": ["thanks"]},
    {"packageId": "446", "stickerId": "2000", "emoji": "😢", "keywords": ["sad"]},
    {"packageId": "789", "stickerId": "10855", "emoji": "👍", "keywords": ["ok"]},
    {"packageId": "789", "stickerId": "10857", "emoji": "😨", "keywords": ["scared"]},
]
