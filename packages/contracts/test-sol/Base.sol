// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.24;

/// @notice The cheatcodes these tests use (forge implements them at this address). forge-std is not
/// on the npm registry in a current version, so the tests declare what they need themselves.
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function startPrank(address sender) external;
    function stopPrank() external;
    function expectRevert(bytes calldata revertData) external;
    function expectRevert(bytes4 revertData) external;
    function expectRevert() external;
    function expectEmit(bool checkTopic1, bool checkTopic2, bool checkTopic3, bool checkData, address emitter) external;
    function assume(bool condition) external pure;
    function addr(uint256 privateKey) external pure returns (address);
    function label(address account, string calldata newLabel) external;
    function assertEq(uint256 left, uint256 right, string calldata err) external pure;
    function assertEq(address left, address right, string calldata err) external pure;
    function assertEq(bytes32 left, bytes32 right, string calldata err) external pure;
    function assertTrue(bool condition, string calldata err) external pure;
    function assertFalse(bool condition, string calldata err) external pure;
    function assertLe(uint256 left, uint256 right, string calldata err) external pure;
}

/// @notice What every test contract here shares: the cheatcodes, `bound`, and the invariant target
/// list forge reads (`targetContracts`).
abstract contract Base {
    Vm internal constant vm = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));
    address[] private targets;

    /// @notice Maps any fuzzed `x` into [lo, hi], evenly enough for fuzzing.
    function bound(uint256 x, uint256 lo, uint256 hi) internal pure returns (uint256) {
        require(lo <= hi, "bound: lo > hi");
        if (lo == 0 && hi == type(uint256).max) return x;
        return lo + (x % (hi - lo + 1));
    }

    function targetContract(address a) internal {
        targets.push(a);
    }

    /// @notice Read by forge's invariant runner: only these contracts get random calls.
    function targetContracts() public view returns (address[] memory) {
        return targets;
    }
}

/// @notice OpenZeppelin's standard Merkle tree over ["address","uint256"] leaves, as the service
/// builds it (OpenZeppelin merkle-tree in JS): double-hashed leaves, sorted pairs. Built here for small
/// test trees: every level pairs neighbours, an odd last node goes up unchanged.
library Tree {
    function leaf(address account, uint256 cumulative) internal pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(account, cumulative))));
    }

    function hashPair(bytes32 a, bytes32 b) private pure returns (bytes32) {
        return a < b ? keccak256(abi.encode(a, b)) : keccak256(abi.encode(b, a));
    }

    /// @notice The root over `leaves` and the proof of leaf `index`.
    function build(bytes32[] memory leaves, uint256 index) internal pure returns (bytes32 root, bytes32[] memory proof) {
        bytes32[] memory level = leaves;
        bytes32[] memory path = new bytes32[](256);
        uint256 depth;
        while (level.length > 1) {
            uint256 sibling = index ^ 1;
            if (sibling < level.length) path[depth++] = level[sibling];
            bytes32[] memory up = new bytes32[]((level.length + 1) / 2);
            for (uint256 i = 0; i < level.length; i += 2) {
                up[i / 2] = i + 1 < level.length ? hashPair(level[i], level[i + 1]) : level[i];
            }
            level = up;
            index /= 2;
        }
        root = level[0];
        proof = new bytes32[](depth);
        for (uint256 i = 0; i < depth; i++) proof[i] = path[i];
    }
}

/// @notice A token that answers `false` instead of reverting (some real ones do): SafeERC20 must
/// turn that into a revert, never into a silent non-payment.
contract FalseToken {
    function transfer(address, uint256) external pure returns (bool) {
        return false;
    }

    function transferFrom(address, address, uint256) external pure returns (bool) {
        return false;
    }

    function balanceOf(address) external pure returns (uint256) {
        return 1e30;
    }
}
