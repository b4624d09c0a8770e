#!/usr/bin/env bash
# System DLLs that Windows 10 has and Wine 8 lacks, for Wine build and test prefixes only — never for
# the bundle, which relies on the real ones on the users' PCs.
#  - icuuc.dll: Qt >= 6.10 links Windows' own ICU (20 ucnv_* functions, for legacy text codecs); without
#    it Qt6Core.dll does not load. Each stub answers "no converter": ucnv_open sets U_FILE_ACCESS_ERROR
#    and returns NULL, the rest return 0. The program never uses legacy codecs.
#  - bcryptprimitives.dll: Rust code (cryptography's _rust.pyd) asks ProcessPrng for random bytes; the
#    stub forwards it to advapi32's RtlGenRandom (SystemFunction036), real randomness from Wine.
set -euo pipefail
out=${1:?usage: wine-stubs.sh OUT_DIR}
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ZERO=(ucnv_close UCNV_FROM_U_CALLBACK_SUBSTITUTE UCNV_TO_U_CALLBACK_SUBSTITUTE ucnv_reset ucnv_getMaxCharSize
      ucnv_getName ucnv_getToUCallBack ucnv_getFromUCallBack ucnv_setToUCallBack ucnv_setFromUCallBack
      ucnv_cbToUWriteUChars ucnv_toUnicode ucnv_cbFromUWriteUChars ucnv_toUCountPending ucnv_fromUCountPending
      ucnv_getStandardName ucnv_getAvailableName ucnv_countAvailable ucnv_fromUnicode)
{
  echo ".text"
  echo ".globl ucnv_open"
  echo "ucnv_open:"
  echo "  movl \$4, (%rdx)"   # *status = U_FILE_ACCESS_ERROR (second argument, Windows x64 ABI)
  echo "  xorl %eax, %eax"
  echo "  ret"
  for f in "${ZERO[@]}"; do
    printf '.globl %s\n%s:\n  xorl %%eax, %%eax\n  ret\n' "$f" "$f"
  done
} > "$work/icuuc.s"
x86_64-w64-mingw32-as -o "$work/icuuc.o" "$work/icuuc.s"
x86_64-w64-mingw32-ld --dll -e 0 --export-all-symbols --subsystem windows -o "$out/icuuc.dll" "$work/icuuc.o"

printf '.text\n' > "$work/empty.s"
x86_64-w64-mingw32-as -o "$work/empty.o" "$work/empty.s"
printf 'LIBRARY bcryptprimitives.dll\nEXPORTS\n  ProcessPrng = advapi32.SystemFunction036\n' > "$work/bcp.def"
x86_64-w64-mingw32-ld --dll -e 0 --subsystem windows -o "$out/bcryptprimitives.dll" "$work/empty.o" "$work/bcp.def"
