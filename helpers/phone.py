import re


def normalize_phone(phone):
    """Keep a leading + and the digits: the form customers log in with."""
    if not phone:
        return False
    phone = phone.strip()
    digits = re.sub(r"\D", "", phone)
    return ("+" if phone.startswith("+") else "") + digits if digits else False
