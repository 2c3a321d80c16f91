# veille_warnings: the warning set every target links (INTERFACE, ccache-style).
# VEILLE_WERROR turns them into errors; the dev, asan and ci presets set it.
add_library(veille_warnings INTERFACE)
target_compile_options(veille_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
  -Wunused -Woverloaded-virtual -Wdouble-promotion -Wformat=2
  -Wimplicit-fallthrough -Wmisleading-indentation)
if(VEILLE_WERROR)
  target_compile_options(veille_warnings INTERFACE -Werror)
endif()
# Not -Wnull-dereference: GCC 12 at -O2 reports false positives inside libstdc++ as inlined from
# CLI11 and toml++ headers, which -Werror would turn into build failures we cannot fix.
