package version

// x-cutter-version-start
const Version = "v1.3.0"
const UserAgent = "connector/1.3.0 (+https://acme.example)"
// x-cutter-version-end

const Protocol = "1.2.3"
