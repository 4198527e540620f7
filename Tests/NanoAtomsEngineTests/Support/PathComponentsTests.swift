import Testing
import NanoAtomsEngine

@Suite("A path splits into its folder and its last component, bare names included")
struct PathComponentsTests {
    @Test("bare names, nested paths, the root and trailing slashes")
    func splits() {
        #expect(PathComponents.folder(of: "o") == "")
        #expect(PathComponents.last(of: "o") == "o")
        #expect(PathComponents.folder(of: "runs/o") == "runs")
        #expect(PathComponents.last(of: "runs/o/") == "o")
        #expect(PathComponents.folder(of: "/tmp") == "/")
        #expect(PathComponents.folder(of: "/a//b") == "/a")
        #expect(PathComponents.last(of: "/a/b.mrc") == "b.mrc")
    }
}
