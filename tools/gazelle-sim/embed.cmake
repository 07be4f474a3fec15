# Writes OUT, a C file defining `const char NAME[]` (the bytes of IN and a
# NUL) and `const size_t NAME_len`. Run at build time by add_custom_command,
# so an edit of IN rebuilds the simulator. Hex bytes rather than a string
# literal: no escaping to get wrong and no compiler limit on literal length.
file(READ "${IN}" hex HEX)
string(LENGTH "${hex}" digits)
math(EXPR len "${digits} / 2")
string(REGEX REPLACE "([0-9a-f][0-9a-f])" "0x\\1," bytes "${hex}")
string(REGEX REPLACE "((0x..,){16})" "\\1\n" bytes "${bytes}")
file(WRITE "${OUT}.tmp"
  "/* Generated from ${IN} by embed.cmake; do not edit. */\n"
  "#include <stddef.h>\n"
  "const char ${NAME}[] = {\n${bytes}0x00};\n"
  "const size_t ${NAME}_len = ${len};\n")
file(RENAME "${OUT}.tmp" "${OUT}")
