using System.Buffers.Binary;
using System.Text;

namespace Autoencoders.Training.Native;

/// <summary>
/// Reads and edits the version-needed table (<c>.gnu.version_r</c>) of a 64-bit little-endian ELF shared library.
/// </summary>
/// <remarks>
/// The one edit we make is to set <c>VER_FLG_WEAK</c> on a single version requirement, which tells the
/// dynamic loader to accept a library whose dependency lacks that version. See <see cref="TorchNativeLibrary"/>.
/// </remarks>
internal static class ElfVersionNeeds
{
    /// <summary><c>VER_FLG_WEAK</c> from elf.h.</summary>
    public const ushort WeakFlag = 2;

    private const uint SectionTypeGnuVersionNeeded = 0x6ffffffe;

    /// <summary>A version requirement found in the file: its name, the file offset of its flags field and the flags.</summary>
    public readonly record struct Requirement(string Library, string Version, long FlagsOffset, ushort Flags)
    {
        /// <summary>True when the requirement carries <c>VER_FLG_WEAK</c>.</summary>
        public bool IsWeak => (Flags & WeakFlag) != 0;
    }

    /// <summary>Lists the version requirements of <paramref name="elf"/> (the whole file's bytes).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a 64-bit little-endian ELF file or its tables are out of range.</exception>
    public static IReadOnlyList<Requirement> Read(ReadOnlySpan<byte> elf)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException("Not an ELF file.");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException("Only 64-bit little-endian ELF files are supported.");

        long sectionHeaders = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(elf[0x28..]));
        int entrySize = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3a..]);
        int count = BinaryPrimitives.ReadUInt16LittleEndian(elf[0x3c..]);
        var result = new List<Requirement>();
        for (int s = 0; s < count; s++)
        {
            var header = Slice(elf, sectionHeaders + (long)s * entrySize, 64);
            if (BinaryPrimitives.ReadUInt32LittleEndian(header[4..]) != SectionTypeGnuVersionNeeded)
                continue;
            long offset = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(header[0x18..]));
            int link = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x28..]);
            int entries = (int)BinaryPrimitives.ReadUInt32LittleEndian(header[0x2c..]);
            var stringHeader = Slice(elf, sectionHeaders + (long)link * entrySize, 64);
            long strings = checked((long)BinaryPrimitives.ReadUInt64LittleEndian(stringHeader[0x18..]));

            long need = offset;
            for (int n = 0; n < entries; n++)
            {
                var entry = Slice(elf, need, 16);
                int auxCount = BinaryPrimitives.ReadUInt16LittleEndian(entry[2..]);
                string library = ReadString(elf, strings + BinaryPrimitives.ReadUInt32LittleEndian(entry[4..]));
                long aux = need + BinaryPrimitives.ReadUInt32LittleEndian(entry[8..]);
                for (int a = 0; a < auxCount; a++)
                {
                    var auxEntry = Slice(elf, aux, 16);
                    ushort flags = BinaryPrimitives.ReadUInt16LittleEndian(auxEntry[4..]);
                    string version = ReadString(elf, strings + BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[8..]));
                    result.Add(new Requirement(library, version, aux + 4, flags));
                    aux += BinaryPrimitives.ReadUInt32LittleEndian(auxEntry[12..]);
                }
                uint next = BinaryPrimitives.ReadUInt32LittleEndian(entry[12..]);
                if (next == 0)
                    break;
                need += next;
            }
        }
        return result;
    }

    /// <summary>
    /// Sets <c>VER_FLG_WEAK</c> on the requirement named <paramref name="version"/> in the file at <paramref name="path"/>.
    /// </summary>
    /// <returns>True when the file was changed; false when the requirement is absent or already weak.</returns>
    public static bool MakeWeak(string path, string version)
    {
        var requirement = Read(File.ReadAllBytes(path)).FirstOrDefault(r => r.Version == version);
        if (requirement.Version is null || requirement.IsWeak)
            return false;
        Span<byte> flags = stackalloc byte[2];
        BinaryPrimitives.WriteUInt16LittleEndian(flags, (ushort)(requirement.Flags | WeakFlag));
        using var file = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.Read);
        file.Position = requirement.FlagsOffset;
        file.Write(flags);
        return true;
    }

    private static ReadOnlySpan<byte> Slice(ReadOnlySpan<byte> elf, long offset, int length)
    {
        if (offset < 0 || offset + length > elf.Length)
            throw new InvalidDataException($"ELF table at offset {offset} lies outside the file.");
        return elf.Slice((int)offset, length);
    }

    private static string ReadString(ReadOnlySpan<byte> elf, long offset)
    {
        var tail = Slice(elf, offset, 1).Length == 1 ? elf[(int)offset..] : default;
        int end = tail.IndexOf((byte)0);
        if (end < 0)
            throw new InvalidDataException($"Unterminated ELF string at offset {offset}.");
        return Encoding.ASCII.GetString(tail[..end]);
    }
}
