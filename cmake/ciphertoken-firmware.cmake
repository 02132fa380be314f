# Build libciphertoken.a from source for a CMake firmware project's own target.
#
#   include(/path/to/ciphertoken/cmake/ciphertoken-firmware.cmake)
#   ciphertoken_add_library()                       # or ciphertoken_add_library(ALGORITHMS hs es256 eddsa)
#   target_link_libraries(my_firmware PRIVATE ciphertoken::ciphertoken)
#
# The Rust target is derived from the toolchain (CMAKE_SYSTEM_PROCESSOR and the -mcpu /
# -march / -mfloat-abi flags of CMAKE_C_FLAGS), or given with -DCIPHERTOKEN_RUST_TARGET=...:
#
#   Cortex-M0/M0+/M1              thumbv6m-none-eabi
#   Cortex-M3                     thumbv7m-none-eabi
#   Cortex-M4/M7                  thumbv7em-none-eabihf with -mfloat-abi=hard, else thumbv7em-none-eabi
#   Cortex-M23                    thumbv8m.base-none-eabi
#   Cortex-M33/M35P/M55/M85       thumbv8m.main-none-eabihf with -mfloat-abi=hard, else thumbv8m.main-none-eabi
#   RISC-V rv32 (-march=rv32...)  riscv32imc / riscv32imac / riscv32imafc / riscv32i -unknown-none-elf
#
# The library is built by cargo with the `firmware` profile (opt-level z, LTO, one codegen
# unit, panic abort: see the workspace Cargo.toml), without std and with the crate's
# `#[panic_handler]`:
#
#   cargo build -p ciphertoken-ffi --profile firmware --target <triple>
#         --no-default-features --features panic-handler
#
# into CIPHERTOKEN_CARGO_TARGET_DIR (default: <build dir>/ciphertoken-cargo). Cargo runs on
# every build and does nothing when the sources are unchanged. The Rust target must be
# installed (`rustup target add <triple>`); the module says which when it is not.
#
# Options (cache variables):
#   CIPHERTOKEN_RUST_TARGET        the Rust target triple (derived when empty)
#   CIPHERTOKEN_CARGO              the cargo program (found on PATH / ~/.cargo/bin)
#   CIPHERTOKEN_CARGO_TARGET_DIR   cargo's target directory
#   CIPHERTOKEN_CARGO_PROFILE      the cargo profile (default: firmware)
#
# ciphertoken_add_library() arguments:
#   ALGORITHMS <alg>...   the algorithms the firmware needs: hs, es256, eddsa, rsa-jwks.
#                         The C library always contains HS*, ES256 and EdDSA today (the ffi
#                         crate has no per-algorithm features yet: unused ones cost no flash
#                         after --gc-sections, since nothing references them); rsa-jwks adds
#                         ct_rsa_key / ct_jwks (the ffi crate's `rsa-jwks` feature).
#   FEATURES <feature>... extra cargo features of ciphertoken-ffi, passed as they are.
cmake_minimum_required(VERSION 3.19)

get_filename_component(CIPHERTOKEN_SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/.." ABSOLUTE)

set(CIPHERTOKEN_RUST_TARGET "" CACHE STRING "Rust target triple for libciphertoken.a (derived from the toolchain when empty)")
set(CIPHERTOKEN_CARGO_TARGET_DIR "${CMAKE_BINARY_DIR}/ciphertoken-cargo" CACHE PATH "cargo target directory for libciphertoken.a")
set(CIPHERTOKEN_CARGO_PROFILE "firmware" CACHE STRING "cargo profile for libciphertoken.a")
find_program(CIPHERTOKEN_CARGO cargo HINTS "$ENV{CARGO_HOME}/bin" "$ENV{HOME}/.cargo/bin")

# ciphertoken_rust_target(<out-var>): the Rust triple for this toolchain's CPU.
function(ciphertoken_rust_target out)
  if(CIPHERTOKEN_RUST_TARGET)
    set(${out} "${CIPHERTOKEN_RUST_TARGET}" PARENT_SCOPE)
    return()
  endif()
  string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR} ${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_INIT}" flags)
  set(cpu "")
  if(flags MATCHES "-mcpu=([a-z0-9.+-]+)")
    set(cpu "${CMAKE_MATCH_1}")
  elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^[Cc]ortex-[Mm]")
    string(TOLOWER "${CMAKE_SYSTEM_PROCESSOR}" cpu)
  endif()
  set(hard FALSE)
  if(flags MATCHES "-mfloat-abi=hard")
    set(hard TRUE)
  endif()
  set(triple "")
  if(cpu MATCHES "^cortex-m(0|0plus|1)([+].*)?$")
    set(triple "thumbv6m-none-eabi")
  elseif(cpu MATCHES "^cortex-m3([+].*)?$")
    set(triple "thumbv7m-none-eabi")
  elseif(cpu MATCHES "^cortex-m(4|7)([+].*)?$")
    set(triple "thumbv7em-none-eabi")
  elseif(cpu MATCHES "^cortex-m23([+].*)?$")
    set(triple "thumbv8m.base-none-eabi")
  elseif(cpu MATCHES "^cortex-m(33|35p|55|85)([+].*)?$")
    set(triple "thumbv8m.main-none-eabi")
  elseif(flags MATCHES "-march=(rv32[a-z0-9_]+)")
    set(arch "${CMAKE_MATCH_1}")
    if(arch MATCHES "^rv32imafc")
      set(triple "riscv32imafc-unknown-none-elf")
    elseif(arch MATCHES "^rv32imac")
      set(triple "riscv32imac-unknown-none-elf")
    elseif(arch MATCHES "^rv32imc")
      set(triple "riscv32imc-unknown-none-elf")
    elseif(arch MATCHES "^rv32im")
      set(triple "riscv32im-unknown-none-elf")
    elseif(arch MATCHES "^rv32i")
      set(triple "riscv32i-unknown-none-elf")
    endif()
  endif()
  if(triple MATCHES "^thumbv(7em|8m.main)-none-eabi$" AND hard)
    set(triple "${triple}hf")
  endif()
  if(NOT triple)
    message(FATAL_ERROR
      "ciphertoken: no Rust target for CMAKE_SYSTEM_PROCESSOR='${CMAKE_SYSTEM_PROCESSOR}' and "
      "C flags '${CMAKE_C_FLAGS} ${CMAKE_C_FLAGS_INIT}' (no -mcpu=cortex-m.. or -march=rv32..); "
      "set -DCIPHERTOKEN_RUST_TARGET=<triple>")
  endif()
  set(${out} "${triple}" PARENT_SCOPE)
endfunction()

# ciphertoken_add_library([ALGORITHMS ...] [FEATURES ...]): the target ciphertoken::ciphertoken.
function(ciphertoken_add_library)
  cmake_parse_arguments(PARSE_ARGV 0 ARG "" "" "ALGORITHMS;FEATURES")
  if(TARGET ciphertoken::ciphertoken)
    return()
  endif()
  if(NOT CIPHERTOKEN_CARGO)
    message(FATAL_ERROR "ciphertoken: cargo not found (install rustup, or set -DCIPHERTOKEN_CARGO=...)")
  endif()
  ciphertoken_rust_target(triple)

  set(features "panic-handler")
  foreach(alg IN LISTS ARG_ALGORITHMS)
    if(alg STREQUAL "rsa-jwks")
      list(APPEND features "rsa-jwks")
    elseif(NOT alg MATCHES "^(hs|es256|eddsa)$")
      message(FATAL_ERROR "ciphertoken: unknown algorithm '${alg}' (hs, es256, eddsa, rsa-jwks)")
    endif()
  endforeach()
  list(APPEND features ${ARG_FEATURES})
  list(JOIN features "," features)

  # Is the Rust target installed? (rustc --print sysroot, then its lib/rustlib/<triple>.)
  get_filename_component(cargo_dir "${CIPHERTOKEN_CARGO}" DIRECTORY)
  find_program(CIPHERTOKEN_RUSTC rustc HINTS "${cargo_dir}")
  if(CIPHERTOKEN_RUSTC)
    execute_process(COMMAND "${CIPHERTOKEN_RUSTC}" --print sysroot
      WORKING_DIRECTORY "${CIPHERTOKEN_SOURCE_DIR}"
      OUTPUT_VARIABLE sysroot OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
    if(rc EQUAL 0 AND NOT EXISTS "${sysroot}/lib/rustlib/${triple}")
      message(FATAL_ERROR "ciphertoken: the Rust target ${triple} is not installed: rustup target add ${triple}")
    endif()
  endif()

  set(lib "${CIPHERTOKEN_CARGO_TARGET_DIR}/${triple}/${CIPHERTOKEN_CARGO_PROFILE}/libciphertoken.a")
  message(STATUS "ciphertoken: libciphertoken.a for ${triple} (${CIPHERTOKEN_CARGO_PROFILE} profile, features ${features})")
  add_custom_target(ciphertoken_cargo
    COMMAND "${CMAKE_COMMAND}" -E env --unset=CARGO_TARGET_DIR --unset=RUSTFLAGS
            "${CIPHERTOKEN_CARGO}" build -p ciphertoken-ffi
            --manifest-path "${CIPHERTOKEN_SOURCE_DIR}/Cargo.toml"
            --profile "${CIPHERTOKEN_CARGO_PROFILE}" --target "${triple}"
            --no-default-features --features "${features}"
            --target-dir "${CIPHERTOKEN_CARGO_TARGET_DIR}"
    WORKING_DIRECTORY "${CIPHERTOKEN_SOURCE_DIR}"
    BYPRODUCTS "${lib}"
    COMMENT "cargo build -p ciphertoken-ffi --profile ${CIPHERTOKEN_CARGO_PROFILE} --target ${triple}"
    USES_TERMINAL
    VERBATIM)

  add_library(ciphertoken_firmware_lib INTERFACE)
  add_dependencies(ciphertoken_firmware_lib ciphertoken_cargo)
  target_include_directories(ciphertoken_firmware_lib INTERFACE "${CIPHERTOKEN_SOURCE_DIR}/include")
  target_link_libraries(ciphertoken_firmware_lib INTERFACE "${lib}")
  set_target_properties(ciphertoken_firmware_lib PROPERTIES INTERFACE_LINK_DEPENDS "${lib}")
  add_library(ciphertoken::ciphertoken ALIAS ciphertoken_firmware_lib)
  set(CIPHERTOKEN_RUST_TARGET_USED "${triple}" PARENT_SCOPE)
endfunction()
