; LGO Registry Desk — the Windows installer (NSIS 3, 64-bit, Unicode).
; Built by installer/windows/build.sh:  makensis -DVERSION=x.y.z -DSRC=<PyInstaller folder> -DOUT=<setup.exe>
;
; Per-machine install into Program Files; Start-menu shortcut (and, by choice, a desktop one) with the
; Thai name; an uninstaller with its Add/Remove Programs entry. The users' working copies live in their
; own %LOCALAPPDATA% and are never touched. For IT staff:  setup.exe /S [/SERVER=https://host] [/NODESKTOP]
; writes the central server's address to the machine-wide settings (%ProgramData%\NHSO\LGO Registry Desk).

Unicode true
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestDPIAware true

!include "MUI2.nsh"
!include "FileFunc.nsh"
!include "LogicLib.nsh"
!include "x64.nsh"

!define APPNAME "LGO Registry Desk"
!define APPNAME_TH "ทะเบียนผู้มีสิทธิ อปท."
!define PUBLISHER "สำนักงานหลักประกันสุขภาพแห่งชาติ (สปสช.)"
!define EXE "LGO-Registry-Desk.exe"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\LGORegistryDesk"
!define MUTEX "LGORegistryDesk.Running"

Name "${APPNAME_TH} (${APPNAME}) ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\${APPNAME}"
BrandingText "${APPNAME} ${VERSION}"
VIProductVersion "${VERSION}.0"
VIAddVersionKey "ProductName" "${APPNAME}"
VIAddVersionKey "CompanyName" "${PUBLISHER}"
VIAddVersionKey "FileDescription" "${APPNAME_TH} — ติดตั้งโปรแกรม"
VIAddVersionKey "FileVersion" "${VERSION}"
VIAddVersionKey "ProductVersion" "${VERSION}"
VIAddVersionKey "LegalCopyright" "${PUBLISHER}"

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!define MUI_FINISHPAGE_RUN "$INSTDIR\${EXE}"
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "Thai"
!insertmacro MUI_LANGUAGE "English"

Var Server

; /SERVER=<url>: everything after "/SERVER=" up to the next space (GetOptions would cut the URL at its
; first "/", which it takes for the start of the next option). Stack: parameters in, URL (or "") out.
Function ServerOption
  Exch $0
  Push $1
  Push $2
  Push $3
  StrLen $3 $0
  StrCpy $1 0
  find:
    IntCmp $1 $3 none 0 none
    StrCpy $2 $0 8 $1
    StrCmp $2 "/SERVER=" found
    IntOp $1 $1 + 1
    Goto find
  found:
    IntOp $1 $1 + 8
    StrCpy $0 $0 "" $1
    StrCpy $1 0
    StrLen $3 $0
  till_space:
    IntCmp $1 $3 cut 0 cut
    StrCpy $2 $0 1 $1
    StrCmp $2 " " cut
    IntOp $1 $1 + 1
    Goto till_space
  cut:
    StrCpy $0 $0 $1
    Goto done
  none:
    StrCpy $0 ""
  done:
  Pop $3
  Pop $2
  Pop $1
  Exch $0
FunctionEnd

Function .onInit
  ${IfNot} ${RunningX64}
    MessageBox MB_ICONSTOP "โปรแกรมนี้ต้องใช้ Windows 64 บิต" /SD IDOK
    SetErrorLevel 3
    Quit
  ${EndIf}
  SetRegView 64
  ; Never install over a running copy: the program holds this mutex while it runs.
  System::Call 'kernel32::OpenMutexW(i 0x00100000, i 0, w "${MUTEX}") p .r0'
  ${If} $0 P<> 0
    System::Call 'kernel32::CloseHandle(p r0)'
    MessageBox MB_ICONEXCLAMATION "${APPNAME_TH} กำลังเปิดใช้งานอยู่ กรุณาปิดโปรแกรมก่อนแล้วติดตั้งอีกครั้ง$\n$\n${APPNAME} is running: close it, then run the installer again." /SD IDOK
    SetErrorLevel 4
    Quit
  ${EndIf}
  ${GetParameters} $R0
  Push $R0
  Call ServerOption
  Pop $Server
  ${If} $Server != ""
    StrCpy $R1 $Server 8
    ${If} $R1 != "https://"
      MessageBox MB_ICONSTOP "ที่อยู่เซิร์ฟเวอร์กลางต้องขึ้นต้นด้วย https:// (ได้รับ: $Server)" /SD IDOK
      SetErrorLevel 2
      Quit
    ${EndIf}
  ${EndIf}
  ClearErrors
  ${GetOptions} $R0 "/NODESKTOP" $R2
  ${IfNot} ${Errors}
    !insertmacro UnselectSection 1
  ${EndIf}
FunctionEnd

Section "ตัวโปรแกรม (Program)" SecMain
  SectionIn RO
  SetShellVarContext all
  ; An upgrade replaces the program folder whole; nothing of the users' lives here.
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SRC}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateDirectory "$SMPROGRAMS\${APPNAME}"
  CreateShortcut "$SMPROGRAMS\${APPNAME}\${APPNAME_TH}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
  CreateShortcut "$SMPROGRAMS\${APPNAME}\ถอนการติดตั้ง ${APPNAME}.lnk" "$INSTDIR\Uninstall.exe"
  ${If} $Server != ""
    ; With the shell context "all", $APPDATA is the machine-wide %ProgramData%.
    CreateDirectory "$APPDATA\NHSO\${APPNAME}"
    WriteINIStr "$APPDATA\NHSO\${APPNAME}\settings.ini" "central" "server" "$Server"
  ${EndIf}
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${APPNAME_TH} (${APPNAME})"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
  WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\${EXE}"
  WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
  WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
  ${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
  WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $0
SectionEnd

Section "ทางลัดบนเดสก์ท็อป (Desktop shortcut)" SecDesktop
  SetShellVarContext all
  CreateShortcut "$DESKTOP\${APPNAME_TH}.lnk" "$INSTDIR\${EXE}" "" "$INSTDIR\${EXE}" 0
SectionEnd

Function un.onInit
  SetRegView 64
  System::Call 'kernel32::OpenMutexW(i 0x00100000, i 0, w "${MUTEX}") p .r0'
  ${If} $0 P<> 0
    System::Call 'kernel32::CloseHandle(p r0)'
    MessageBox MB_ICONEXCLAMATION "${APPNAME_TH} กำลังเปิดใช้งานอยู่ กรุณาปิดโปรแกรมก่อนถอนการติดตั้ง" /SD IDOK
    SetErrorLevel 4
    Quit
  ${EndIf}
FunctionEnd

Section "Uninstall"
  SetShellVarContext all
  ; Only the program's own files: the users' working copies in %LOCALAPPDATA% stay, and so do the
  ; machine-wide settings IT wrote, for the next version.
  Delete "$DESKTOP\${APPNAME_TH}.lnk"
  RMDir /r "$SMPROGRAMS\${APPNAME}"
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\${EXE}"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKLM "${UNINSTKEY}"
SectionEnd
