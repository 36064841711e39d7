// SPDX-License-Identifier: MIT
/* UEFI boot path: load the config and guest images from the ESP, leave boot services. */
#include <efi.h>

#include <arch/console.h>
#include <arch/x86.h>
#include <hv/boot_info.h>
#include <hv/config.h>
#include <hv/printk.h>
#include <hv/string.h>

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st);
void switch_stack_call(void *top, void (*fn)(void *), void *arg);

extern char boot_stack_top[];

static struct boot_info efi_boot_info;
static struct sprout_config efi_config;
static EFI_BOOT_SERVICES *bs;

static EFI_GUID loaded_image_guid = LOADED_IMAGE_PROTOCOL;
static EFI_GUID fs_guid = SIMPLE_FILE_SYSTEM_PROTOCOL;
static EFI_GUID file_info_guid = EFI_FILE_INFO_ID;
static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;
static EFI_GUID gop_guid = EFI_GRAPHICS_OUTPUT_PROTOCOL_GUID;

static EFI_FILE_HANDLE efi_open_root(EFI_HANDLE image)
{
	EFI_LOADED_IMAGE *li;
	EFI_FILE_IO_INTERFACE *fs;
	EFI_FILE_HANDLE root;

	if (bs->HandleProtocol(image, &loaded_image_guid, (void **)&li) != EFI_SUCCESS)
		return NULL;
	boot_info_reserve(&efi_boot_info, (u64)(uintptr_t)li->ImageBase,
			  (u64)(uintptr_t)li->ImageBase + li->ImageSize);
	efi_boot_info.image_bytes = li->ImageSize;
	if (bs->HandleProtocol(li->DeviceHandle, &fs_guid, (void **)&fs) != EFI_SUCCESS)
		return NULL;
	if (fs->OpenVolume(fs, &root) != EFI_SUCCESS)
		return NULL;
	return root;
}

static u64 efi_file_size(EFI_FILE_HANDLE f)
{
	u8 buf[sizeof(EFI_FILE_INFO) + 512] __aligned(8);
	UINTN size = sizeof(buf);

	if (f->GetInfo(f, &file_info_guid, &size, buf) != EFI_SUCCESS)
		return ~0ULL;
	return ((EFI_FILE_INFO *)(void *)buf)->FileSize;
}

/* Read an ESP root file into LoaderData pages and record it as a module. */
static EFI_STATUS efi_load_module(EFI_FILE_HANDLE root, const char *name)
{
	struct boot_info *bi = &efi_boot_info;
	CHAR16 wname[CONFIG_PATH_MAX];
	EFI_FILE_HANDLE f;
	EFI_PHYSICAL_ADDRESS pa;
	UINTN len;
	u64 size;
	size_t i;

	if (boot_info_module(bi, name) || bi->module_count >= BOOT_MODULES_MAX)
		return EFI_SUCCESS;
	for (i = 0; i < ARRAY_SIZE(wname) - 1 && name[i]; i++)
		wname[i] = (CHAR16)name[i];
	wname[i] = 0;
	if (root->Open(root, &f, wname, EFI_FILE_MODE_READ, 0) != EFI_SUCCESS)
		return EFI_NOT_FOUND;
	size = efi_file_size(f);
	if (size == ~0ULL || bs->AllocatePages(AllocateAnyPages, EfiLoaderData,
					       EFI_SIZE_TO_PAGES(size + 1), &pa) != EFI_SUCCESS) {
		f->Close(f);
		return EFI_OUT_OF_RESOURCES;
	}
	len = size;
	if (f->Read(f, &len, (void *)(uintptr_t)pa) != EFI_SUCCESS || len != size) {
		f->Close(f);
		return EFI_LOAD_ERROR;
	}
	f->Close(f);
	strlcpy(bi->modules[bi->module_count].name, name, CONFIG_PATH_MAX);
	bi->modules[bi->module_count].base = pa;
	bi->modules[bi->module_count++].size = size;
	return EFI_SUCCESS;
}

/* Load sprout.cfg and, if it parses, every image and initrd it names. */
static void efi_load_files(EFI_FILE_HANDLE root)
{
	const struct boot_module *cfg;
	struct config_error err;

	if (efi_load_module(root, efi_boot_info.config_name) != EFI_SUCCESS)
		return; /* hv_main reports the missing config */
	cfg = &efi_boot_info.modules[efi_boot_info.module_count - 1];
	/* A config that does not parse is reported by hv_main; load nothing else. */
	if (config_parse((const char *)(uintptr_t)cfg->base, cfg->size, &efi_config, &err))
		return;
	for (u32 i = 0; i < efi_config.vm_count; i++) {
		const struct vm_config *vm = &efi_config.vms[i];

		if (efi_load_module(root, vm->image) != EFI_SUCCESS)
			pr_warn("uefi: cannot read %s for vm %s\n", vm->image, vm->name);
		if (vm->initrd[0] && efi_load_module(root, vm->initrd) != EFI_SUCCESS)
			pr_warn("uefi: cannot read %s for vm %s\n", vm->initrd, vm->name);
	}
}

static u64 efi_find_rsdp(EFI_SYSTEM_TABLE *st)
{
	u64 v1 = 0;

	for (UINTN i = 0; i < st->NumberOfTableEntries; i++) {
		EFI_CONFIGURATION_TABLE *t = &st->ConfigurationTable[i];

		if (!memcmp(&t->VendorGuid, &acpi20_guid, sizeof(EFI_GUID)))
			return (u64)(uintptr_t)t->VendorTable;
		if (!memcmp(&t->VendorGuid, &acpi10_guid, sizeof(EFI_GUID)))
			v1 = (u64)(uintptr_t)t->VendorTable;
	}
	return v1;
}

/* Position and width of a pixel mask's run of ones. */
static void efi_mask(u32 mask, u8 *pos, u8 *bits)
{
	*pos = *bits = 0;
	if (!mask)
		return;
	*pos = (u8)__builtin_ctz(mask);
	for (mask >>= *pos; mask & 1; mask >>= 1) /* no libgcc: count by hand */
		(*bits)++;
}

/*
 * The framebuffer GOP left in its current mode, for the screen console. The
 * mode is kept as the firmware set it: it is the one the panel shows well.
 */
static void efi_find_framebuffer(void)
{
	struct boot_fb *fb = &efi_boot_info.fb;
	EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;
	EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info;
	EFI_PIXEL_BITMASK m = {0};

	if (bs->LocateProtocol(&gop_guid, NULL, (void **)&gop) != EFI_SUCCESS || !gop->Mode ||
	    !gop->Mode->Info)
		return;
	info = gop->Mode->Info;
	switch (info->PixelFormat) {
	case PixelRedGreenBlueReserved8BitPerColor:
		m = (EFI_PIXEL_BITMASK){0xff, 0xff00, 0xff0000, 0};
		break;
	case PixelBlueGreenRedReserved8BitPerColor:
		m = (EFI_PIXEL_BITMASK){0xff0000, 0xff00, 0xff, 0};
		break;
	case PixelBitMask: m = info->PixelInformation; break;
	default: return; /* Blt only: no framebuffer to draw on */
	}
	fb->base = gop->Mode->FrameBufferBase;
	fb->size = gop->Mode->FrameBufferSize;
	fb->width = info->HorizontalResolution;
	fb->height = info->VerticalResolution;
	fb->pitch = info->PixelsPerScanLine * 4;
	fb->bpp = 32;
	efi_mask(m.RedMask, &fb->red_pos, &fb->red_bits);
	efi_mask(m.GreenMask, &fb->green_pos, &fb->green_bits);
	efi_mask(m.BlueMask, &fb->blue_pos, &fb->blue_bits);
	boot_info_reserve(&efi_boot_info, fb->base, fb->base + fb->size);
}

static u32 efi_mem_type(UINT32 t)
{
	switch (t) {
	case EfiConventionalMemory:
	case EfiBootServicesCode:
	case EfiBootServicesData: return MEM_USABLE; /* ours once boot services are gone */
	case EfiLoaderCode:
	case EfiLoaderData: return MEM_LOADER; /* our image, modules and boot structures */
	case EfiACPIReclaimMemory: return MEM_ACPI_RECLAIM;
	case EfiACPIMemoryNVS: return MEM_ACPI_NVS;
	case EfiUnusableMemory: return MEM_BAD;
	default: return MEM_RESERVED;
	}
}

/* Runs after ExitBootServices: no firmware calls from here on. */
static void efi_convert_map(const u8 *map, UINTN size, UINTN desc_size)
{
	struct boot_info *bi = &efi_boot_info;

	for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
		const EFI_MEMORY_DESCRIPTOR *d = (const void *)(map + off);

		if (bi->mmap_count >= BOOT_MMAP_MAX)
			break;
		bi->mmap[bi->mmap_count++] = (struct mem_region){
			d->PhysicalStart, d->NumberOfPages * EFI_PAGE_SIZE, efi_mem_type(d->Type)};
	}
}

static EFI_STATUS efi_exit_boot_services(EFI_HANDLE image)
{
	static u8 map[64 * 1024] __aligned(8);
	UINTN size, key, desc_size;
	UINT32 desc_ver;
	EFI_STATUS s = EFI_LOAD_ERROR;

	/* The map can change between the two calls; the spec allows one retry. */
	for (int tries = 0; tries < 3; tries++) {
		size = sizeof(map);
		s = bs->GetMemoryMap(&size, (EFI_MEMORY_DESCRIPTOR *)(void *)map, &key, &desc_size,
				     &desc_ver);
		if (s != EFI_SUCCESS)
			return s;
		s = bs->ExitBootServices(image, key);
		if (s == EFI_SUCCESS)
			break;
	}
	if (s == EFI_SUCCESS)
		efi_convert_map(map, size, desc_size);
	return s;
}

static void efi_continue(void *arg)
{
	hv_main(arg);
}

EFI_STATUS efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *st)
{
	struct boot_info *bi = &efi_boot_info;
	EFI_FILE_HANDLE root;
	EFI_STATUS s;

	bs = st->BootServices;
	console_init();
	bi->loader = "uefi";
	strlcpy(bi->config_name, "sprout.cfg", sizeof(bi->config_name));
	root = efi_open_root(image);
	if (root)
		efi_load_files(root);
	else
		pr_err("uefi: cannot open the volume Sprout was loaded from\n");
	bi->rsdp = efi_find_rsdp(st);
	efi_find_framebuffer();
	s = efi_exit_boot_services(image);
	if (s != EFI_SUCCESS) {
		pr_err("uefi: ExitBootServices failed (0x%llx)\n", (u64)s);
		return s;
	}
	/* Boot services memory (the firmware's stack among it) is about to become free RAM. */
	switch_stack_call(boot_stack_top, efi_continue, bi);
	return EFI_LOAD_ERROR;
}
