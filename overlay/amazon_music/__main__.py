"""``python -m amazon_music``: the amazon-music command."""

from amazon_music.cli import main

main()
