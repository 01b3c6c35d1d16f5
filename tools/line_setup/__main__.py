"""`python -m tools.line_setup rich-menu`: install the rich menu on the channel in the environment."""

import sys

from configuration.settings import get_settings
from tools.line_setup.rich_menu import RichMenuInstallError, install_rich_menu


def main(arguments: list[str]) -> int:
    if arguments != ["rich-menu"]:
        print("usage: python -m tools.line_setup rich-menu", file=sys.stderr)
        return 2
    try:
        rich_menu_id = install_rich_menu(get_settings())
    except RichMenuInstallError as error:
        print(f"rich menu not installed: {error}", file=sys.stderr)
        return 1
    print(f"rich menu installed and set as default: {rich_menu_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
