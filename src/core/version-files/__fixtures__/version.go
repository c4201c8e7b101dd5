package version

// x-cutter-version-start
const Version = "v1.2.3"
const UserAgent = "connector/1.2.3 (+https://acme.example)"
// x-cutter-version-end

const Protocol = "1.2.3"
