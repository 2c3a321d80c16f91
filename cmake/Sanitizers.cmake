# veille_sanitizers: ASan + UBSan when VEILLE_SANITIZE is on (the asan preset).
add_library(veille_sanitizers INTERFACE)
if(VEILLE_SANITIZE)
  target_compile_options(veille_sanitizers INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(veille_sanitizers INTERFACE -fsanitize=address,undefined)
endif()
